/* The allocation board: choose the loan's days by pressing a first and a last day (or week)
 * in the board's header; the date fields below follow, and stay the form's truth.
 *
 * Without JavaScript the header shows plain dates and the date fields are typed as usual.
 * The header buttons come and go with htmx (moving through the weeks): clicks are caught
 * on the form, and the chosen days are marked again after each swap.
 */
(function () {
  "use strict";

  var form = document.getElementById("lend-form");
  var start = document.getElementById("start_date");
  var end = document.getElementById("end_date");
  var status = document.getElementById("pick-status");
  if (!form || !start || !end || !status) {
    return;
  }
  var anchor = null; // the first day (or week) pressed, until the last one is

  function mark() {
    form.querySelectorAll(".pick-day").forEach(function (button) {
      var chosen = start.value && end.value && button.dataset.last >= start.value &&
        button.dataset.first <= end.value;
      button.setAttribute("aria-pressed", chosen ? "true" : "false");
    });
  }

  function labelOf(day) {
    var button = form.querySelector('.pick-day[data-first="' + day + '"]') ||
      form.querySelector('.pick-day[data-last="' + day + '"]');
    return button ? button.textContent.trim() : day;
  }

  function press(button) {
    if (anchor === null) {
      anchor = { first: button.dataset.first, last: button.dataset.last };
      start.value = anchor.first;
      end.value = anchor.last;
      status.textContent = status.dataset.msgFirst.replace("{day}", button.textContent.trim());
    } else {
      start.value = button.dataset.first < anchor.first ? button.dataset.first : anchor.first;
      end.value = button.dataset.last > anchor.last ? button.dataset.last : anchor.last;
      anchor = null;
      status.textContent = status.dataset.msgRange.replace("{first}", labelOf(start.value))
        .replace("{last}", labelOf(end.value));
    }
    mark();
  }

  form.classList.add("js-pick");
  form.addEventListener("click", function (event) {
    var button = event.target.closest(".pick-day");
    if (button) {
      press(button);
    }
  });
  start.addEventListener("change", mark);
  end.addEventListener("change", mark);
  document.body.addEventListener("htmx:afterSwap", mark);
  mark();
})();
