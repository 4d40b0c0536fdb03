// factdesk desk: the little JavaScript that helps. Pages work without it.
// Text from the server is only ever set with textContent, never as HTML.
"use strict";

// Figures ledger: filter the rows by kind, source and words.
function setUpLedgerFilters() {
  document.querySelectorAll("[data-filters]").forEach(function (bar) {
    var table = document.getElementById(bar.dataset.filters);
    if (!table) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var count = bar.querySelector("[data-count]");
    function apply() {
      var kind = bar.querySelector("[data-filter=kind]").value;
      var source = bar.querySelector("[data-filter=source]").value;
      var words = bar.querySelector("[data-filter=text]").value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var text = row.textContent.toLowerCase();
        var ok = (!kind || row.dataset.kind === kind) && (!source || row.dataset.source === source) &&
          words.every(function (w) { return text.indexOf(w) >= 0; });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      count.textContent = shown + " of " + rows.length + " figures";
    }
    bar.addEventListener("input", apply);
    bar.hidden = false;
    apply();
  });
}

// Sources page: send each file (or the URL) to the JSON API with visible progress.
function setUpIntake() {
  var uploadForm = document.getElementById("upload-form");
  var urlForm = document.getElementById("url-form");
  if (!uploadForm || !urlForm) return;
  var box = document.getElementById("intake-progress");
  var bar = document.getElementById("intake-bar");
  var status = document.getElementById("intake-status");
  var log = document.getElementById("intake-log");

  function note(cls, text) {
    var li = document.createElement("li");
    li.className = cls;
    li.textContent = text;
    log.appendChild(li);
  }
  function report(xhr, what) {
    var body = {};
    try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON: use the status line */ }
    if (xhr.status >= 400 || xhr.status === 0) {
      note("failed", what + ": " + (body.error || ("HTTP " + xhr.status)));
    }
    (body.outcomes || []).forEach(function (o) {
      if (xhr.status >= 400 && o.status === "failed") return;  // already said above
      note(o.status, o.status + ": " + o.origin + (o.title ? " — " + o.title : "") + (o.message ? " (" + o.message + ")" : ""));
    });
  }
  function send(body, what, json, done) {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/sources");
    if (json) xhr.setRequestHeader("Content-Type", "application/json");
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
    };
    xhr.upload.onload = function () { bar.removeAttribute("value"); status.textContent = what + ": reading and extracting…"; };
    xhr.onloadend = function () { report(xhr, what); done(); };
    xhr.send(body);
  }
  function refreshList() {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", "/sources");
    xhr.responseType = "document";
    xhr.onload = function () {
      var fresh = xhr.response && xhr.response.getElementById("source-list");
      var list = document.getElementById("source-list");
      if (fresh && list) list.replaceWith(document.adoptNode(fresh));
    };
    xhr.send();
  }
  function finish() { box.hidden = true; status.textContent = ""; refreshList(); }

  uploadForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var files = Array.prototype.slice.call(uploadForm.querySelector("input[type=file]").files);
    if (!files.length) { note("failed", "choose one or more files first"); return; }
    box.hidden = false;
    (function next(i) {
      if (i === files.length) { finish(); uploadForm.reset(); return; }
      var data = new FormData();
      data.append("file", files[i]);
      bar.value = 0;
      status.textContent = "file " + (i + 1) + " of " + files.length + ": uploading " + files[i].name + "…";
      send(data, files[i].name, false, function () { next(i + 1); });
    })(0);
  });

  urlForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var url = urlForm.querySelector("input[name=url]").value.trim();
    box.hidden = false;
    bar.removeAttribute("value");
    status.textContent = "fetching " + url + "…";
    send(JSON.stringify({ url: url }), url, true, function () { finish(); urlForm.reset(); });
  });
}

document.addEventListener("DOMContentLoaded", function () {
  setUpLedgerFilters();
  setUpIntake();
});
