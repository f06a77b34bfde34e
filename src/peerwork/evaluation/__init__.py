"""Evaluation: questionnaires before and after training, and anonymous session feedback,
reported only in aggregate (docs/evaluation.md)."""
