"""The customer-service assistant: intents, slots, dialogue state, tools, grounded answers, hand-off.

Example:
    >>> service = Services(settings).assistant  # doctest: +SKIP
    >>> service.train()  # doctest: +SKIP
    >>> conversation = service.start("c00012")  # doctest: +SKIP
    >>> service.reply(conversation.conversation_id, "where is my order o000123?").text  # doctest: +SKIP
"""
