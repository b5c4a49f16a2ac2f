"""Training: config (hyperparameters), stage / sft / preference (SFT, DPO, KTO on TRL), run (one run in
its own process), runs (run rows), adapters (versions on disk), gate (the evaluation gate), scheduler."""
