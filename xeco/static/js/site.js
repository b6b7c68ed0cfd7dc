// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Ask before what cannot be undone: the question is the data-confirm of the button or of
  // the form. Answered here, the post carries "confirmed" and the server does not ask again
  // on a page of its own (which is what happens without this script).
  var send = function (form, button) {
    var mark = document.createElement("input");
    mark.type = "hidden";
    mark.name = "confirmed";
    mark.value = "1";
    form.appendChild(mark);
    if (form.requestSubmit) {
      form.requestSubmit(button || undefined);
    } else {
      if (button && button.name) {
        var value = document.createElement("input");
        value.type = "hidden";
        value.name = button.name;
        value.value = button.value;
        form.appendChild(value);
      }
      form.submit();
    }
  };
  var ask = function (source, form, button) {
    var question = source.getAttribute("data-confirm");
    if (typeof HTMLDialogElement !== "function") {
      if (window.confirm(question)) send(form, button);
      return;
    }
    var dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-question");
    var text = document.createElement("p");
    text.id = "confirm-dialog-question";
    text.textContent = question;
    var choice = document.createElement("form");
    choice.method = "dialog";
    choice.className = "actions";
    var yes = document.createElement("button");
    yes.value = "yes";
    yes.className = button && /\bdanger\b/.test(button.className) ? "button danger" : "button";
    yes.textContent = source.getAttribute("data-confirm-yes") || (button && button.textContent) || "OK";
    var no = document.createElement("button");
    no.value = "no";
    no.className = "button secondary";
    no.textContent = source.getAttribute("data-confirm-no") || "Cancel";
    no.autofocus = true; // the safe answer is the one Enter gives
    choice.appendChild(yes);
    choice.appendChild(no);
    dialog.appendChild(text);
    dialog.appendChild(choice);
    document.body.appendChild(dialog);
    dialog.addEventListener("close", function () {
      var confirmed = dialog.returnValue === "yes";
      dialog.remove();
      if (confirmed) send(form, button);
      else if (button) button.focus();
    });
    dialog.showModal();
  };
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var source = button && button.hasAttribute("data-confirm") ? button : form;
    if (!source.hasAttribute || !source.hasAttribute("data-confirm")) return;
    if (form.querySelector('input[name="confirmed"]')) return;
    event.preventDefault();
    ask(source, form, button);
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
