"""The customer-service assistant: intents, slots, dialogue state, tools, grounded answers, hand-off.

Example:
    >>> assistant = Assistant.from_store(store, data_dir=settings.data_dir, llm=settings.llm)  # doctest: +SKIP
    >>> conversation = assistant.start(customer_id="c00012")  # doctest: +SKIP
    >>> assistant.reply(conversation.conversation_id, "where is my order o000123?").text  # doctest: +SKIP
"""
