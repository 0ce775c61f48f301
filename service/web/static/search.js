/* Passerelle: results as you type, facets without reloading, the search kept in the URL.
   A small enhancement only: without it the form and the links work the same way, with full pages. */
(function () {
  "use strict";

  var form = document.getElementById("search-form");
  var live = document.getElementById("live");
  var input = document.getElementById("q");
  var status = document.getElementById("status");
  var hidden = document.getElementById("hidden-params");
  if (!form || !live || !input || !window.fetch || !window.URLSearchParams || !window.history.pushState) {
    return;
  }

  var DELAY = 300; // ms of pause before an unfinished word (of at least MIN_LETTERS) is searched
  var WORD_DELAY = 120; // ms after a finished word: lets quick typists finish the next one
  var MIN_LETTERS = 3;
  var FINISHED = /[\s.,;:!?…"'»«)\]]$/;
  var LAST_WORD = /[\p{L}\p{N}]+$/u;
  var timer = null;
  var controller = null;
  var sequence = 0;
  var typing = false; // the first update while typing adds a history entry, the next ones replace it
  var shown = null; // the search (path and query) whose results are on the page
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 47.99rem)") : null;

  function currentUrl() {
    return location.pathname + location.search;
  }
  shown = currentUrl();

  function formUrl() {
    var params = new URLSearchParams(new FormData(form));
    if (!(params.get("q") || "").trim()) {
      params.delete("q");
    }
    var search = params.toString();
    return "/" + (search ? "?" + search : "");
  }

  // The hidden inputs carry the filters (and language, mode) of the URL into the next search.
  function syncForm(url, setQuery) {
    var params = new URL(url, location.href).searchParams;
    if (setQuery) {
      input.value = params.get("q") || "";
    }
    while (hidden.firstChild) {
      hidden.removeChild(hidden.firstChild);
    }
    params.forEach(function (value, name) {
      if (name === "q" || name === "k") {
        return;
      }
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = name;
      field.value = value;
      hidden.appendChild(field);
    });
  }

  // The language links keep the current search.
  function syncSwitcher() {
    var links = document.querySelectorAll(".switcher a[data-lang]");
    for (var i = 0; i < links.length; i++) {
      var params = new URLSearchParams(location.search);
      params.set("lang", links[i].getAttribute("data-lang"));
      links[i].setAttribute("href", location.pathname + "?" + params.toString());
    }
  }

  function facetsOpen() {
    var details = document.getElementById("facet-details");
    return details ? details.open : null;
  }

  function setFacetsOpen(open) {
    var details = document.getElementById("facet-details");
    if (details && open !== null) {
      details.open = open;
    }
  }

  function showError() {
    var root = document.createElement("div");
    root.id = "results";
    root.className = "results-root view-error";
    root.tabIndex = -1;
    var box = document.createElement("section");
    box.className = "state state-error";
    var title = document.createElement("h2");
    title.textContent = live.getAttribute("data-error-title");
    var text = document.createElement("p");
    text.className = "message";
    text.textContent = live.getAttribute("data-error");
    box.appendChild(title);
    box.appendChild(text);
    root.appendChild(box);
    live.innerHTML = "";
    live.appendChild(root);
    status.textContent = text.textContent;
  }

  function focusAfter(options) {
    var target = null;
    if (options.focusId) {
      target = document.getElementById(options.focusId);
    }
    if (!target && options.focusKey) {
      var links = live.querySelectorAll("a[data-key]");
      for (var i = 0; i < links.length; i++) {
        if (links[i].getAttribute("data-key") === options.focusKey) {
          target = links[i];
          break;
        }
      }
    }
    if (!target && (options.focusId || options.focusKey)) {
      target = document.getElementById("results");
    }
    if (target) {
      target.focus();
    }
  }

  function load(url, options) {
    options = options || {};
    if (controller) {
      controller.abort();
    }
    controller = window.AbortController ? new AbortController() : null;
    var mine = ++sequence;
    live.setAttribute("aria-busy", "true");
    return fetch(url, {
      headers: { "X-Passerelle-Fragment": "1" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      var type = response.headers.get("content-type") || "";
      if (type.indexOf("text/html") === -1) {
        throw new Error("unexpected answer " + response.status);
      }
      return response.text();
    }).then(function (html) {
      if (mine !== sequence) {
        return;
      }
      // Words like "le" or "der" alone are no question yet: while typing, the page waits for more.
      if (options.typing && html.indexOf('data-code="no_content"') !== -1) {
        return;
      }
      var open = facetsOpen();
      shown = url;
      live.innerHTML = html;
      setFacetsOpen(open);
      var root = document.getElementById("results");
      if (root && root.getAttribute("data-title")) {
        document.title = root.getAttribute("data-title");
      }
      status.textContent = root ? root.getAttribute("data-status") || "" : "";
      if (options.history === "push" && url !== currentUrl()) {
        history.pushState({ passerelle: true }, "", url);
      } else if (options.history === "replace" || options.history === "push") {
        history.replaceState({ passerelle: true }, "", url);
      }
      if (options.sync) {
        syncForm(url, options.setQuery);
      }
      syncSwitcher();
      focusAfter(options);
    }).catch(function (error) {
      if (error && error.name === "AbortError") {
        return;
      }
      if (mine === sequence) {
        showError();
      }
    }).then(function () {
      if (mine === sequence) {
        live.removeAttribute("aria-busy");
      }
    });
  }

  // While typing, a search waits for a finished word, or for a pause after MIN_LETTERS letters of one:
  // "des je" is the start of "des jeunes", not a question.
  function typingDelay(value) {
    if (!value.trim() || FINISHED.test(value)) {
      return WORD_DELAY;
    }
    var last = value.match(LAST_WORD);
    return last && last[0].length >= MIN_LETTERS ? DELAY : null;
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    var delay = typingDelay(input.value);
    if (delay === null) {
      return;
    }
    timer = window.setTimeout(function () {
      var url = formUrl();
      if (url === currentUrl()) {
        return;
      }
      load(url, { history: typing ? "replace" : "push", typing: true });
      typing = true;
    }, delay);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    typing = false;
    load(formUrl(), { history: "push" });
  });

  // Facets, filter chips, examples and "more results" update the results in place.
  live.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-live]") : null;
    if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey ||
        event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    window.clearTimeout(timer);
    typing = false;
    var url = link.getAttribute("href");
    var isExample = link.hasAttribute("data-query");
    load(url, {
      history: "push", sync: true, setQuery: isExample,
      focusKey: link.getAttribute("data-key"), focusId: link.getAttribute("data-focus")
    });
  });

  window.addEventListener("popstate", function () {
    if (currentUrl() === shown) {
      return; // only the #fragment changed (the skip link, an anchor)
    }
    window.clearTimeout(timer);
    typing = false;
    load(currentUrl(), { sync: true, setQuery: true });
  });

  if (narrow && narrow.matches) {
    setFacetsOpen(false);
  }
})();
