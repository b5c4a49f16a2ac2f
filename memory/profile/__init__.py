"""The L1 profile: what can be said in words about the user (bio, preferences, people, topics).

schema (the extracted shapes and limits) · extract/ (rule-based readers per language) · llm (a teacher
LLM reader) · store / merge / refresh (the stored, merged items) · edit (user corrections, export) ·
summary (bio and status text) · facts (the profile as the API returns it)."""

from memory.profile.facts import Profile, ProfileFact, TopicGroup, fact_of, group_topics, load_profile

__all__ = ["Profile", "ProfileFact", "TopicGroup", "fact_of", "group_topics", "load_profile"]
