// The search box's microphone: press to record (MediaRecorder, webm/opus where the browser has it), press
// again (or wait 10 s) to stop; the clip goes to POST /voice?action=search in the page's language, and the
// recognised text is searched the usual way (the form's htmx submit: results, facets, understood chips, the
// address). "Heard: ..." shows the transcript. Browsers without MediaRecorder or getUserMedia (or a page not
// served over HTTPS or from localhost) never see the button. Labels come from the button's data-* attributes.
(function () {
  "use strict";
  const LIMIT_MS = 10000;
  const TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm", "audio/mp4"];

  function supported() {
    return typeof window.MediaRecorder === "function" && !!navigator.mediaDevices
      && typeof navigator.mediaDevices.getUserMedia === "function";
  }

  function recordingType() {
    if (typeof MediaRecorder.isTypeSupported !== "function") return "";
    for (const type of TYPES) if (MediaRecorder.isTypeSupported(type)) return type;
    return "";
  }

  function start() {
    const button = document.getElementById("voice");
    const status = document.getElementById("voice-status");
    const input = document.getElementById("q");
    const form = input && input.form;
    if (!button || !status || !form || !supported()) return;
    const spoken = document.getElementById("spoken");
    function setSpoken(on) {
      if (spoken) spoken.disabled = !on;
    }
    input.addEventListener("input", () => setSpoken(false)); // typed again: an ordinary search
    const labels = button.dataset;
    let recorder = null;
    let timer = null;
    let busy = false; // asking for the microphone, or waiting for /voice: presses are ignored

    function show(text, kind) {
      status.textContent = text;
      status.dataset.kind = kind;
      status.hidden = !text;
    }

    function failed(reason) {
      return labels.failed.replace("{reason}", reason);
    }

    function setState(state) {
      const recording = state === "recording";
      busy = state === "starting" || state === "sending";
      button.dataset.state = state;
      button.setAttribute("aria-pressed", recording ? "true" : "false");
      button.setAttribute("aria-label", recording ? labels.stop : labels.start);
      button.title = recording ? labels.stop : labels.start;
      if (busy) button.setAttribute("aria-disabled", "true");
      else button.removeAttribute("aria-disabled");
      form.setAttribute("aria-busy", state === "sending" ? "true" : "false");
    }

    function microphoneError(error) {
      const name = error && error.name;
      if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") return labels.denied;
      if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") {
        return labels.noMicrophone;
      }
      return failed((error && error.message) || String(error));
    }

    async function httpError(response) {
      if (response.status === 413) return labels.tooLong;
      if (response.status === 422) return labels.notAudio;
      if (response.status === 503) return labels.unavailable;
      let reason = String(response.status);
      try { reason = (await response.json()).error || reason; } catch (ignored) { /* not JSON */ }
      return failed(reason);
    }

    async function send(blob) {
      setState("sending");
      show(labels.transcribing, "progress");
      const params = new URLSearchParams({ action: "search", language: labels.lang });
      try {
        const response = await fetch("/voice?" + params.toString(), {
          method: "POST",
          headers: { "Content-Type": (blob.type || "application/octet-stream").split(";")[0], Accept: "application/json" },
          body: blob,
          credentials: "same-origin",
        });
        if (!response.ok) {
          show(await httpError(response), "error");
          return;
        }
        const result = await response.json();
        const text = (result.text || "").trim();
        const heard = (result.transcript || "").trim() || text;
        if (!text) {
          show(labels.nothing, "error");
          return;
        }
        input.value = text;
        setSpoken(true); // the page searches a transcript: fused with the catalog's sound-alike products
        show(labels.heard.replace("{text}", heard), "heard");
        if (typeof form.requestSubmit === "function") form.requestSubmit();
        else form.submit();
      } catch (error) {
        show(failed((error && error.message) || String(error)), "error");
      } finally {
        setState("idle");
      }
    }

    function stop() {
      clearTimeout(timer);
      if (recorder && recorder.state === "recording") {
        setState("sending");
        show(labels.transcribing, "progress");
        recorder.stop();
      }
    }

    async function record() {
      setState("starting");
      show("", "");
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch (error) {
        setState("idle");
        show(microphoneError(error), "error");
        return;
      }
      const release = function () { for (const track of stream.getTracks()) track.stop(); };
      const type = recordingType();
      const chunks = [];
      try {
        recorder = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
      } catch (error) {
        release();
        setState("idle");
        show(failed((error && error.message) || String(error)), "error");
        return;
      }
      const current = recorder;
      current.addEventListener("dataavailable", function (event) {
        if (event.data && event.data.size) chunks.push(event.data);
      });
      current.addEventListener("error", function (event) {
        clearTimeout(timer);
        release();
        recorder = null;
        setState("idle");
        show(failed((event.error && event.error.message) || "recorder"), "error");
      });
      current.addEventListener("stop", function () {
        release();
        if (recorder !== current) return; // failed above
        recorder = null;
        send(new Blob(chunks, { type: current.mimeType || type || "audio/webm" }));
      });
      current.start();
      setState("recording");
      show(labels.recording, "progress");
      timer = setTimeout(stop, LIMIT_MS);
    }

    button.addEventListener("click", function () {
      if (busy) return;
      if (recorder && recorder.state === "recording") stop();
      else record();
    });
    button.hidden = false;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
