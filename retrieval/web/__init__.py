"""Articles from the web: fetching links safely, extracting articles, reading feeds, ingesting."""
