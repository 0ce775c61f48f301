/* Passerelle's document page: the "Copy" buttons of the "Cite" section put a reference on the clipboard.
   Without this script the buttons stay hidden and the texts can still be selected and copied by hand. */
(function () {
  "use strict";

  var messages = document.querySelector(".cite-copy-messages");
  var buttons = document.querySelectorAll(".cite-copy[data-copy]");
  if (!messages || !buttons.length) {
    return;
  }

  function select(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copy(button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".cite-status");
    if (!target) {
      return;
    }
    // The APA reference is shown with its title in italics; the clipboard gets its plain text.
    var text = target.getAttribute("data-copy-text") || target.textContent;
    function done(message) {
      if (status) {
        status.textContent = "";
        status.textContent = message; // emptied first so that a second copy is announced again
      }
    }
    function failed() {
      select(target);
      done(messages.getAttribute("data-failed"));
    }
    if (!navigator.clipboard || !navigator.clipboard.writeText) {
      failed(); // an insecure origin (plain http other than localhost) has no clipboard API
      return;
    }
    navigator.clipboard.writeText(text).then(function () {
      done(messages.getAttribute("data-copied"));
    }, failed);
  }

  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(button);
    });
  });
})();
