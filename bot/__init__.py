"""Front ends of the Vietnamese QA bot: the Telegram bot and the local console."""
