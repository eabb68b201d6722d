/* 后台任务: keep a job's progress bar current by polling its status (no inline script, CSP-safe).
   The page renders the state it had when loaded; this only updates it. */
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var wasFinished = box.getAttribute("data-finished") === "yes";
  var delay = 1000;

  function show(el, href) {
    if (!el) { return; }
    if (href) { el.setAttribute("href", href); el.classList.remove("hidden"); }
    else { el.classList.add("hidden"); }
  }

  function render(s) {
    document.getElementById("job-bar").value = s.progress;
    document.getElementById("job-bar").textContent = s.progress + "%";
    document.getElementById("job-percent").textContent = s.progress + "%";
    document.getElementById("job-state").textContent = s.state_label;
    var message = document.getElementById("job-message");
    message.className = "alert " + (s.state === "failed" ? "alert-danger" : s.state === "done" ? "alert-success" : "alert-info");
    var prefix = s.state === "failed" ? document.getElementById("job-failed-prefix").textContent : "";
    message.textContent = "";
    var text = document.createElement("span");
    text.id = "job-message-text";
    text.textContent = s.message;
    message.appendChild(document.createTextNode(prefix));
    message.appendChild(text);
    show(document.getElementById("job-download"), s.download);
    show(document.getElementById("job-next"), s.next);
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (s) {
        render(s);
        if (!s.finished) { delay = Math.min(delay * 1.3, 5000); setTimeout(poll, delay); }
        else if (s.follow && s.next && !wasFinished) { window.location.assign(s.next); }
      })
      .catch(function () { delay = Math.min(delay * 2, 15000); setTimeout(poll, delay); });
  }

  if (!wasFinished) { setTimeout(poll, 500); }
}());
