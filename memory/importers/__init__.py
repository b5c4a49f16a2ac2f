"""Reading files people bring into notes and chats: Markdown and Obsidian folders, diary-style
text, JSON Lines, ChatGPT's conversations.json. Pure parsing with caps; storing is memory.portability's."""
