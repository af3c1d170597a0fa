/*
 * Accessibility for the course's quizzes (jupyterquiz), on top of its defaults.
 *
 * jupyterquiz builds each quiz with JavaScript after the page loads, so this file watches
 * the page (MutationObserver) and improves every question once it appears:
 *
 * - Answer options become buttons in the Tab order. Tab (or the arrow keys) moves between
 *   them without answering; Enter or Space answers. jupyterquiz's hidden radio buttons
 *   are switched off, because with them the arrow keys answered at once.
 * - Each question gets a polite live region (role="status") that announces
 *   "Correct." or "Not quite." and the feedback text after every answer.
 * - The question text labels the group of options and the number box.
 *
 * Markers in words ("Correct", "Not quite") and the focus ring are in quiz.css.
 * No request leaves the page.
 */
(function () {
  "use strict";

  var ENHANCED = "data-course-a11y";

  function onOptionKey(event) {
    var option = event.currentTarget;
    var key = event.key;
    if (key === "Enter" || key === " " || key === "Spacebar") {
      event.preventDefault();
      // jupyterquiz answers in the label's click handler (it reads window.event).
      option.click();
      return;
    }
    var options = Array.prototype.slice.call(option.parentElement.querySelectorAll(".MCButton"));
    var index = options.indexOf(option);
    var next = null;
    if (key === "ArrowDown" || key === "ArrowRight") next = options[(index + 1) % options.length];
    else if (key === "ArrowUp" || key === "ArrowLeft") next = options[(index - 1 + options.length) % options.length];
    else if (key === "Home") next = options[0];
    else if (key === "End") next = options[options.length - 1];
    if (next) {
      event.preventDefault(); // moving focus never answers, and the page does not scroll
      next.focus();
    }
  }

  function enhanceOption(option) {
    option.tabIndex = 0;
    option.setAttribute("role", "button");
    var radio = option.querySelector("input[type=radio]");
    if (radio) {
      // Out of the Tab order and the accessibility tree; disabled so that a click on
      // the label answers once and the arrow keys cannot select a radio button.
      radio.tabIndex = -1;
      radio.disabled = true;
      radio.setAttribute("aria-hidden", "true");
    }
    option.addEventListener("keydown", onOptionKey);
  }

  function announce(feedback, live) {
    var text = (feedback.textContent || "").replace(/\s+/g, " ").trim();
    if (!text) return;
    var verdict = feedback.classList.contains("correct") ? "Correct." : "Not quite.";
    var message = verdict + " " + text;
    // Clear first so that the same message, given twice in a row, is announced again.
    live.textContent = "";
    window.setTimeout(function () { live.textContent = message; }, 50);
  }

  function enhanceQuestion(wrapper) {
    wrapper.setAttribute(ENHANCED, "true");
    var questionText = wrapper.querySelector("[id^=quizQn]");
    var answers = wrapper.querySelector(".Answer");
    var feedback = wrapper.querySelector(".Feedback");
    if (questionText && answers) {
      answers.setAttribute("role", "group");
      answers.setAttribute("aria-labelledby", questionText.id);
    }
    Array.prototype.forEach.call(wrapper.querySelectorAll(".MCButton"), enhanceOption);

    var input = wrapper.querySelector("input.Input-text");
    if (input) {
      var label = wrapper.querySelector("label.InpLabel");
      if (label) label.htmlFor = input.id;
      if (questionText) input.setAttribute("aria-describedby", questionText.id);
      input.setAttribute("inputmode", "decimal");
      input.setAttribute("autocomplete", "off");
    }

    if (feedback) {
      var live = document.createElement("div");
      live.className = "quiz-live";
      live.setAttribute("role", "status");
      live.setAttribute("aria-live", "polite");
      live.setAttribute("aria-atomic", "true");
      feedback.insertAdjacentElement("afterend", live);
      new MutationObserver(function () { announce(feedback, live); }).observe(feedback, {
        childList: true, characterData: true, subtree: true,
      });
    }
  }

  function enhanceAll() {
    var wrappers = document.querySelectorAll("div.Quiz[data-qnum]:not([" + ENHANCED + "])");
    Array.prototype.forEach.call(wrappers, function (wrapper) {
      // jupyterquiz appends the feedback box last: wait until the question is complete.
      if (wrapper.querySelector(".Feedback")) enhanceQuestion(wrapper);
    });
  }

  new MutationObserver(enhanceAll).observe(document.documentElement, { childList: true, subtree: true });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceAll);
  } else {
    enhanceAll();
  }
})();
