"""Language models: an OpenAI-compatible chat client and the text-generation backends built on it (endpoint, local GGUF)."""
