"""Retail NLP model tooling: encoders (USE port, small Transformer), MLM pre-training, fine-tuning, augmentation, distillation, int8 quantisation, versioned storage."""
