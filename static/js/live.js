/* Live parts of a page (the Today desk, the home page's seats): polling that keeps focus and
 * choices, answers that land next to what changed, and a pause control.
 *
 * A live part is an element with data-live="container" and an id; data-live-url and
 * data-live-every (seconds) make it poll. The server answers with the same element (an
 * htmx-style fragment). Every element child of a container has an id: a child that is a
 * container itself is merged the same way, any other child is a row, replaced as a whole
 * when its HTML changed since the server last sent it. A row is left alone while it holds
 * the focus, a field whose value differs from what the server sent (a headset chosen in a
 * list, a typed note), or a request in flight: a refresh never changes a choice being made
 * (it is updated once the person is done). Open <details> stay open.
 *
 * Forms in a live part post with htmx (hx-target naming the container). Their answer is the
 * container again: it is merged the same way, except that the row of the form that was sent
 * and the row carrying the answer are always replaced; then the element the server marked
 * data-focus (the answer next to the changed row, or a field to correct) gets the focus, so
 * that screen readers read the answer once and the next Tab goes on from there.
 *
 * Rows may carry data-live-say, a short sentence ("3 seats left at 14:20"): when a poll
 * changes it, the sentence goes to the polite region named by the container's
 * data-live-announce, a region that stays in the page (a whole refreshed block is never a
 * live region). Polling stops while the page is hidden and while the person has paused it
 * (buttons with data-live-pause; the choice lasts for the browser tab's session).
 */
(function () {
  "use strict";

  var PAUSE_KEY = "vrb-live-paused";
  var serverHtml = new Map(); // row id → the HTML the server last sent for it
  var generation = 0; // bumped by each answer to a form: older poll answers are dropped

  function isContainer(element) {
    return element.getAttribute("data-live") === "container";
  }

  function childrenWithId(element) {
    return Array.prototype.filter.call(element.children, function (child) {
      return Boolean(child.id);
    });
  }

  function remember(root) {
    if (isContainer(root)) {
      childrenWithId(root).forEach(remember);
    } else {
      serverHtml.set(root.id, root.outerHTML);
    }
  }

  function isChanged(field) {
    if (field.type === "hidden" || field.type === "submit" || field.type === "button") {
      return false;
    }
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    if (field.tagName === "SELECT") {
      return Array.prototype.some.call(field.options, function (option) {
        return option.selected !== option.defaultSelected;
      });
    }
    return field.value !== field.defaultValue;
  }

  /* In use: holds the focus, a changed field, or a request in flight. */
  function isBusy(row) {
    var active = document.activeElement;
    if (active && active !== document.body && row.contains(active)) {
      return true;
    }
    if (row.classList.contains("htmx-request") || row.querySelector(".htmx-request")) {
      return true;
    }
    return Array.prototype.some.call(row.querySelectorAll("input, select, textarea"), isChanged);
  }

  function openDetails(row) {
    return Array.prototype.filter.call(row.querySelectorAll("details[id]"), function (d) {
      return d.open;
    }).map(function (d) { return d.id; });
  }

  function adopt(element) {
    var copy = document.importNode(element, true);
    return copy;
  }

  function activate(element) {
    if (window.htmx) {
      window.htmx.process(element);
    }
  }

  function syncAttributes(current, fresh) {
    Array.prototype.forEach.call(fresh.attributes, function (attribute) {
      if (attribute.name !== "open" && current.getAttribute(attribute.name) !== attribute.value) {
        current.setAttribute(attribute.name, attribute.value);
      }
    });
    Array.prototype.slice.call(current.attributes).forEach(function (attribute) {
      if (attribute.name !== "open" && !fresh.hasAttribute(attribute.name)) {
        current.removeAttribute(attribute.name);
      }
    });
    if (fresh.hasAttribute("open")) {
      current.setAttribute("open", ""); // opened by the server (an answer inside); kept open
    }
  }

  function syncRow(current, fresh, context) {
    var html = fresh.outerHTML;
    var forced = context.forced.has(current.id);
    if (!forced && serverHtml.get(current.id) === html) {
      return current;
    }
    if (!forced && isBusy(current)) {
      return current; // tried again on the next poll
    }
    var wasOpen = openDetails(current);
    var said = current.getAttribute("data-live-say");
    var replacement = adopt(fresh);
    current.replaceWith(replacement);
    wasOpen.forEach(function (id) {
      var details = document.getElementById(id);
      if (details && replacement.contains(details)) {
        details.open = true;
      }
    });
    serverHtml.set(replacement.id, html);
    activate(replacement);
    var says = replacement.getAttribute("data-live-say");
    if (says && says !== said) {
      context.news.push(says);
    }
    return replacement;
  }

  function place(parent, node, previous) {
    var expected = previous ? previous.nextElementSibling : parent.firstElementChild;
    while (expected && !expected.id) {
      expected = expected.nextElementSibling;
    }
    if (expected === node) {
      return;
    }
    var focused = node.contains(document.activeElement) ? document.activeElement : null;
    parent.insertBefore(node, expected);
    if (focused) {
      focused.focus({ preventScroll: true });
    }
  }

  function syncContainer(current, fresh, context) {
    syncAttributes(current, fresh);
    var existing = new Map(childrenWithId(current).map(function (child) {
      return [child.id, child];
    }));
    var previous = null;
    childrenWithId(fresh).forEach(function (freshChild) {
      var node = existing.get(freshChild.id);
      existing.delete(freshChild.id);
      if (!node) {
        node = adopt(freshChild);
        remember(node);
        place(current, node, previous);
        activate(node);
      } else {
        node = sync(node, freshChild, context);
        place(current, node, previous);
      }
      previous = node;
    });
    existing.forEach(function (gone) {
      if (context.forced.has(gone.id) || !isBusy(gone)) {
        gone.remove();
      }
    });
  }

  function sync(current, fresh, context) {
    if (isContainer(current) && isContainer(fresh) &&
        childrenWithId(fresh).length === fresh.children.length) {
      syncContainer(current, fresh, context);
      return current;
    }
    return syncRow(current, fresh, context);
  }

  /* The row (direct child of a live container) holding an element. */
  function rowOf(element) {
    var node = element;
    while (node && node.parentElement) {
      if (node.id && isContainer(node.parentElement)) {
        return node;
      }
      node = node.parentElement;
    }
    return null;
  }

  function announce(container, news) {
    var region = document.getElementById(container.getAttribute("data-live-announce") || "");
    if (region && news.length) {
      region.textContent = news.join(" · ");
    }
  }

  function freshCopy(container, html) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    return parsed.getElementById(container.id);
  }

  /* Merge an answer into its container; ``sent`` is the form that asked (null for a poll). */
  function apply(container, html, sent) {
    var fresh = freshCopy(container, html);
    if (!fresh) {
      return false;
    }
    var context = { forced: new Set(), news: [] };
    if (sent) {
      var own = rowOf(sent);
      if (own) {
        context.forced.add(own.id);
      }
      fresh.querySelectorAll("[data-focus]").forEach(function (target) {
        var node = target;
        while (node && node !== fresh) {
          if (node.id) {
            context.forced.add(node.id);
          }
          node = node.parentElement;
        }
      });
    }
    var focused = document.activeElement;
    syncContainer(container, fresh, context);
    if (sent) {
      focusAnswer(container);
    } else {
      if (focused && focused !== document.activeElement && document.contains(focused)) {
        focused.focus({ preventScroll: true });
      }
      announce(container, context.news);
    }
    document.dispatchEvent(new CustomEvent("live:updated", { detail: { container: container } }));
    return true;
  }

  function focusAnswer(container) {
    var target = container.querySelector("[data-focus]");
    if (!target) {
      return;
    }
    for (var node = target.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") {
        node.open = true;
      }
    }
    target.focus();
    if (target.select) {
      target.select();
    }
  }

  function failed(container) {
    var flash = container.querySelector(".desk-flash") || container;
    var message = document.createElement("div");
    message.className = "row-msg error";
    message.tabIndex = -1;
    message.textContent = container.getAttribute("data-live-failed") || "";
    flash.replaceChildren(message);
    message.focus();
  }

  /* --- answers to forms (htmx) ------------------------------------------------------- */

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !isContainer(target) || !target.id) {
      return;
    }
    event.detail.shouldSwap = false;
    event.detail.isError = false; // refusals (409, 422…) carry the answer to show
    generation += 1;
    var sent = event.detail.requestConfig ? event.detail.requestConfig.elt : null;
    if (!apply(target, event.detail.serverResponse, sent || target)) {
      failed(target);
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    var target = event.detail.target;
    if (target && isContainer(target)) {
      failed(target);
    }
  });

  /* --- polling, paused on request and while hidden ----------------------------------- */

  function isPaused() {
    try {
      return window.sessionStorage.getItem(PAUSE_KEY) === "yes";
    } catch (error) {
      return document.documentElement.hasAttribute("data-live-paused");
    }
  }

  function showPaused(paused) {
    if (paused) {
      document.documentElement.setAttribute("data-live-paused", "");
    } else {
      document.documentElement.removeAttribute("data-live-paused");
    }
    document.querySelectorAll("[data-live-pause]").forEach(function (button) {
      button.hidden = false;
      button.setAttribute("aria-pressed", paused ? "true" : "false");
      button.textContent = button.getAttribute(paused ? "data-label-resume" : "data-label-pause");
    });
  }

  function poll(container) {
    if (isPaused() || document.hidden || container.querySelector(".htmx-request")) {
      return;
    }
    var asked = generation;
    fetch(container.getAttribute("data-live-url"), {
      headers: { "HX-Request": "true" }, credentials: "same-origin", cache: "no-store"
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html && asked === generation && !isPaused()) {
        apply(container, html, null);
      }
    }).catch(function () { /* offline for a moment: the next poll tries again */ });
  }

  function pollers() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-live-url]"), isContainer);
  }

  function start() {
    var live = pollers();
    live.forEach(function (container) {
      remember(container);
      var every = Number(container.getAttribute("data-live-every") || "0") * 1000;
      if (every > 0) {
        window.setInterval(function () { poll(container); }, every);
      }
    });
    showPaused(isPaused());
    document.querySelectorAll("[data-live-pause]").forEach(function (button) {
      button.addEventListener("click", function () {
        var paused = !isPaused();
        try {
          window.sessionStorage.setItem(PAUSE_KEY, paused ? "yes" : "no");
        } catch (error) { /* storage refused: the attribute below still pauses this page */ }
        showPaused(paused);
        var region = document.querySelector("[data-live-announce]");
        region = region && document.getElementById(region.getAttribute("data-live-announce"));
        if (region) {
          region.textContent = button.getAttribute(paused ? "data-say-paused" : "data-say-resumed");
        }
        if (!paused) {
          live.forEach(poll);
        }
      });
    });
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) {
        live.forEach(poll);
      }
    });
  }

  window.vrbLive = { isPaused: isPaused };
  start();
})();
