"""Language models: a client for any OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp server)."""
