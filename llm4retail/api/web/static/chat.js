// The storefront's chat widget: sends a turn to /store/chat and shows the answer as it streams
// (server-sent events over fetch: meta, delta..., done), with its sources, order cards and hand-off.
// Labels come from the page (data-* attributes of #chat), so the widget speaks the page's language.
(function () {
  "use strict";
  const KEY = "l4r-conversation";

  function start() {
    const root = document.getElementById("chat");
    const form = document.getElementById("chat-form");
    if (!root || !form) return;
    const log = document.getElementById("chat-log");
    const input = document.getElementById("chat-input");
    const handoff = document.getElementById("chat-handoff");
    const labels = root.dataset;

    function line(who, text, cls) {
      const item = document.createElement("li");
      item.className = cls;
      const name = document.createElement("b");
      name.textContent = who + ": ";
      const body = document.createElement("span");
      body.className = "chat-text";
      body.textContent = text;
      item.append(name, body);
      log.append(item);
      log.scrollTop = log.scrollHeight;
      return item;
    }

    function orderCards(item, sources) {
      // an answer grounded in an order record cites it as "order:<id>": a card links to the orders list
      for (const source of sources || []) {
        if (!source.id || !source.id.startsWith("order:")) continue;
        const orderId = source.id.slice(6);
        const card = document.createElement("a");
        card.className = "card order-card";
        card.href = "/for-you#order-" + encodeURIComponent(orderId);
        card.dataset.orderId = orderId;
        card.textContent = source.title || labels.order + " " + orderId;
        item.append(card);
      }
    }

    function handle(event, data, item) {
      const text = item.querySelector(".chat-text");
      if (event === "delta") {
        text.textContent += data.text;
      } else if (event === "done") {
        text.textContent = data.text;
        item.dataset.intent = data.intent || "";
        if (data.conversation_id) sessionStorage.setItem(KEY, data.conversation_id);
        orderCards(item, data.sources);
        if (data.handoff) handoff.hidden = false;
      }
    }

    async function send(message) {
      line(labels.you, message, "chat-user");
      const item = line(labels.bot, "", "chat-bot");
      item.setAttribute("aria-busy", "true");
      const body = { message: message, conversation_id: sessionStorage.getItem(KEY) };
      try {
        const response = await fetch("/store/chat", {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
          body: JSON.stringify(body),
        });
        if (!response.ok) {
          let reason = response.status + "";
          try { reason = (await response.json()).error || reason; } catch (ignored) { /* not JSON */ }
          if (response.status === 403 || response.status === 404) sessionStorage.removeItem(KEY);
          throw new Error(reason);
        }
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let cut;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            let event = "message", data = "";
            for (const row of block.split("\n")) {
              if (row.startsWith("event: ")) event = row.slice(7);
              else if (row.startsWith("data: ")) data += row.slice(6);
            }
            if (data) handle(event, JSON.parse(data), item);
          }
        }
      } catch (error) {
        item.querySelector(".chat-text").textContent = labels.error.replace("{reason}", error.message);
        item.classList.add("chat-failed");
      } finally {
        item.removeAttribute("aria-busy");
      }
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const message = input.value.trim();
      if (!message) return;
      input.value = "";
      send(message);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
