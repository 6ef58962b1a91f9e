"""What the bot writes: issue templates, what they may use, Markdown pieces."""
