"""Voice shopping: speech to text (Whisper), transcripts made into queries, sound-alike catalog words, and
spoken-query evaluation; see docs/voice.md."""
