// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Confirm before destructive posts (forms marked with data-confirm).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // Characters left under long text areas.
  document.querySelectorAll("[data-counter-for]").forEach(function (counter) {
    var area = document.getElementById(counter.getAttribute("data-counter-for"));
    if (!area) return;
    var max = parseInt(area.getAttribute("maxlength"), 10);
    var update = function () {
      counter.textContent = area.value.length.toLocaleString() + " / " + max.toLocaleString();
    };
    area.addEventListener("input", update);
    update();
  });

  // A matching run's progress, polled every second until it finishes.
  var run = document.querySelector("[data-progress-url]");
  if (!run) return;
  var labels = {};
  var template = document.getElementById("state-labels");
  if (template) {
    template.content.querySelectorAll("[data-code]").forEach(function (el) {
      labels[el.getAttribute("data-code")] = el.textContent;
    });
  }
  var set = function (name, value) {
    var el = run.querySelector('[data-field="' + name + '"]');
    if (el) el.textContent = value;
    return el;
  };
  var finished = function (state) { return state === "succeeded" || state === "failed"; };
  var poll = function () {
    fetch(run.getAttribute("data-progress-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        var percent = Math.round((data.progress || 0) * 100);
        set("done", data.done);
        set("total", data.total);
        set("proposals", data.proposals);
        set("percent", percent + "%");
        set("state-label", labels[data.state] || data.state);
        var bar = run.querySelector('[data-field="bar"]');
        if (bar) { bar.value = percent; bar.textContent = percent + "%"; }
        run.setAttribute("data-state", data.state);
        if (finished(data.state)) {
          set("finished", (labels[data.state] || data.state) + " ✓");
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  };
  if (!finished(run.getAttribute("data-state"))) window.setTimeout(poll, 1000);
})();
