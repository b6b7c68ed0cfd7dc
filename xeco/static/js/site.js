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
    if (event.defaultPrevented) return; // the size check stopped it already
    var form = event.target;
    var button = event.submitter;
    var source = button && button.hasAttribute("data-confirm") ? button : form;
    if (!source.hasAttribute || !source.hasAttribute("data-confirm")) return;
    if (form.querySelector('input[name="confirmed"]')) return;
    // A reject without its reason goes straight to the server, which marks the field.
    var needs = button && button.getAttribute("data-requires");
    if (needs && form.elements[needs] && !form.elements[needs].value.trim()) return;
    event.preventDefault();
    ask(source, form, button);
  });

  // Sizes checked in the page, before anything is sent: a field past its limit is marked and
  // keeps all its text (the browser's maxlength would cut a paste without a word), and a
  // form past the request limit is not sent at all (the server could only answer 413, and
  // what was typed would be gone).
  var fill = function (template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) { return values[key]; });
  };
  var describe = function (field, id, on) {
    var ids = (field.getAttribute("aria-describedby") || "").split(" ").filter(function (x) {
      return x && x !== id;
    });
    if (on) ids.push(id);
    if (ids.length) field.setAttribute("aria-describedby", ids.join(" "));
    else field.removeAttribute("aria-describedby");
  };
  document.querySelectorAll("form[data-max-bytes]").forEach(function (form) {
    var tooLong = form.getAttribute("data-too-long");
    var tooBig = form.getAttribute("data-too-big");
    var alertBox = form.querySelector("[data-size-alert]");
    var fields = Array.prototype.slice.call(form.querySelectorAll("input[maxlength], textarea[maxlength]"));
    var check = function (field) {
      var max = parseInt(field.getAttribute("data-maxlength"), 10);
      var id = field.id + "-too-long";
      var note = document.getElementById(id);
      var over = field.value.length > max;
      if (over) {
        if (!note) {
          note = document.createElement("p");
          note.id = id;
          note.className = "errors too-long";
          field.insertAdjacentElement("afterend", note);
        }
        note.textContent = fill(tooLong, { n: field.value.length.toLocaleString(), max: max.toLocaleString() });
        field.setAttribute("aria-invalid", "true");
      } else if (note) {
        note.remove();
        field.removeAttribute("aria-invalid");
      }
      describe(field, id, over);
      return !over;
    };
    fields.forEach(function (field) {
      field.setAttribute("data-maxlength", field.getAttribute("maxlength"));
      field.removeAttribute("maxlength");
      field.addEventListener("input", function () { check(field); });
    });
    form.addEventListener("submit", function (event) {
      var bad = fields.filter(function (field) { return !check(field); });
      var bytes = 0;
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.type === "file" && el.files) {
          Array.prototype.forEach.call(el.files, function (f) { bytes += f.size; });
        } else if (el.name && typeof el.value === "string") {
          bytes += new Blob([el.value]).size;
        }
      });
      var limit = parseInt(form.getAttribute("data-max-bytes"), 10);
      if (bytes > limit) {
        alertBox.textContent = fill(tooBig, {
          size: (bytes / 1048576).toFixed(1),
          limit: (limit / 1048576).toFixed(0)
        });
        alertBox.hidden = false;
        alertBox.focus();
        event.preventDefault();
      } else if (bad.length) {
        alertBox.hidden = true;
        bad[0].focus();
        event.preventDefault();
      }
    });
  });

  // Characters used under long text areas.
  document.querySelectorAll("[data-counter-for]").forEach(function (counter) {
    var area = document.getElementById(counter.getAttribute("data-counter-for"));
    if (!area) return;
    var max = parseInt(area.getAttribute("data-maxlength") || area.getAttribute("maxlength"), 10);
    var update = function () {
      counter.textContent = area.value.length.toLocaleString() + " / " + max.toLocaleString();
      counter.classList.toggle("over", area.value.length > max);
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
