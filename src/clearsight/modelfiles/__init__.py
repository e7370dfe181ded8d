"""Model-file forensics: what a seized safetensors, pickle or GGUF file is, without loading it."""
