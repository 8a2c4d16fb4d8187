"""The bot's conversations: one per private chat, one per user in a group, so that follow-up
questions are understood in context (``retrieval.question.conversation``), and which question each of the
bot's answers answered, so that a Telegram reply to an old answer picks that one as context."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from telegram import Message, User

from retrieval.question.conversation import Conversation, Turn

# Chats and answers remembered at most (the oldest are forgotten first): memory stays flat.
MAX_CONVERSATIONS = 10_000
MAX_ANSWERS = 20_000


def _key(message: Message, user: User | None) -> tuple[int, int | None]:
    """A private chat is one conversation; in a group each user has their own."""
    return message.chat_id, None if message.chat.type == "private" or user is None else user.id


class ChatMemory:
    """Recent turns per conversation for ``minutes``, and the turn behind each answer message."""

    def __init__(self, minutes: float) -> None:
        self.minutes = minutes
        self._conversations: OrderedDict[tuple[int, int | None], Conversation] = OrderedDict()
        self._answers: OrderedDict[tuple[int, int], Turn] = OrderedDict()

    def previous(self, message: Message, user: User | None) -> Turn | None:
        """The turn a question follows: the answer it replies to, else the conversation's last
        recent turn, else None (it stands alone)."""
        replied = message.reply_to_message
        if replied is not None and (turn := self._answers.get((message.chat_id, replied.message_id))):
            return turn
        conversation = self._conversations.get(_key(message, user))
        return conversation.last() if conversation is not None else None

    def remember(
        self,
        message: Message,
        user: User | None,
        understood: str,
        shown: Sequence[str],
        reply: Message | None,
    ) -> None:
        """Add a turn to the asker's conversation (``shown``: the sentences its reply showed, the
        first its answer), and tie it to the bot's ``reply``."""
        key = _key(message, user)
        conversation = self._conversations.pop(key, None) or Conversation(self.minutes)
        conversation.add(understood, shown)
        self._conversations[key] = conversation  # most recent last
        if reply is not None:
            self._answers[(reply.chat_id, reply.message_id)] = conversation.turns[-1]
        while len(self._conversations) > MAX_CONVERSATIONS:
            self._conversations.popitem(last=False)
        while len(self._answers) > MAX_ANSWERS:
            self._answers.popitem(last=False)

    def forget(self, message: Message, user: User | None) -> None:
        """/new: the asker's next question starts afresh."""
        self._conversations.pop(_key(message, user), None)
