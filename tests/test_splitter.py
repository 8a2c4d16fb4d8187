import pytest

from retrieval.text.splitter import split_sentences, strip_list_marker


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ông đến TP. Hồ Chí Minh. Sau đó về.", ["Ông đến TP. Hồ Chí Minh.", "Sau đó về."]),
        ("PGS.TS. Nguyễn Văn A phát biểu. Đ/c B nói.", ["PGS.TS. Nguyễn Văn A phát biểu.", "Đ/c B nói."]),
        ("Ông John C. Messenger phát biểu. Hết.", ["Ông John C. Messenger phát biểu.", "Hết."]),
        ("Năm 2023 đạt 3,1 tỷ USD. Có 1.000 người.", ["Năm 2023 đạt 3,1 tỷ USD.", "Có 1.000 người."]),
        ("Ngày 28/9/2018 ban hành. Chiều 13/6. Xong.", ["Ngày 28/9/2018 ban hành.", "Chiều 13/6.", "Xong."]),
        ("Ông nói: “Đây là nhà.” Sau đó về.", ["Ông nói: “Đây là nhà.”", "Sau đó về."]),
        ("cứu nạn... và ổn định. Xong... Tiếp tục.", ["cứu nạn... và ổn định.", "Xong...", "Tiếp tục."]),
        ("Có thật không? Có! Vậy thì tốt.", ["Có thật không?", "Có!", "Vậy thì tốt."]),
        (
            "“Mẫu mực, tiêu biểu”; “Xuân biên phòng”... Tiếp tục.",
            ["“Mẫu mực, tiêu biểu”; “Xuân biên phòng”...", "Tiếp tục."],
        ),
        ("Th.S. Lê Văn B đã nói. Hết.", ["Th.S. Lê Văn B đã nói.", "Hết."]),
        ("Một câu không có dấu chấm", ["Một câu không có dấu chấm"]),
    ],
)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


def test_interview_lines_lose_their_marker():
    assert split_sentences("- Xin cảm ơn đồng chí!") == ["Xin cảm ơn đồng chí!"]
    assert split_sentences("+ Trên cơ sở đánh giá. Đảng bộ đã đề ra.") == ["Trên cơ sở đánh giá.", "Đảng bộ đã đề ra."]
    assert strip_list_marker("- 3 khâu đột phá") == "3 khâu đột phá"


def test_empty_paragraph_gives_no_sentence():
    assert split_sentences("   ") == []
