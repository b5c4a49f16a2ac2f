"""The model: base (loading the base LLM), personal (base + a user's adapter, generation), special_tokens
(<|ME|>), tiny (a random test model), scoring (log-probabilities of completions), generation (sampling)."""
