// The /ui page: the articles, each article's outline as the parser split it, and search.
// Plain JavaScript, no framework, no build step. Server strings only ever become text
// nodes (never parsed as HTML): the CSP needs no 'unsafe-inline', nothing can inject markup.
"use strict";

(() => {
  // The API's root: the page is served at <root>/ui, wherever a proxy mounted the app.
  const API_ROOT = window.location.pathname.replace(/\/ui\/?$/, "");
  const ARTICLE_LIMIT = 100;
  const HIT_LIMIT = 20;

  const view = document.getElementById("view");
  const pageTitle = document.getElementById("page-title");
  const status = document.getElementById("status");
  const searchForm = document.getElementById("search-form");
  const searchInput = document.getElementById("search-input");
  const navArticles = document.getElementById("nav-articles");

  // Each render gets a number: an answer arriving after the user moved on is dropped.
  let currentRender = 0;

  /** An element with attributes and children (strings become text nodes). */
  function el(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== null && value !== undefined && value !== false) {
        element.setAttribute(name, value === true ? "" : String(value));
      }
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      element.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return element;
  }

  /** A problem+json answer (or a network failure), to show as it is. */
  class ApiError extends Error {
    constructor(message, problem) {
      super(message);
      this.problem = problem || {};
    }
  }

  async function getJSON(path) {
    let response;
    try {
      response = await fetch(API_ROOT + path, { headers: { Accept: "application/json" } });
    } catch (error) {
      throw new ApiError(`The server could not be reached (${error.message}).`);
    }
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      body = null;
    }
    if (!response.ok) {
      const problem = body && typeof body === "object" ? body : {};
      const title = typeof problem.title === "string" ? problem.title : response.statusText;
      const detail = typeof problem.detail === "string" ? problem.detail : "";
      throw new ApiError(`${response.status} ${title}${detail ? `: ${detail}` : ""}`, problem);
    }
    if (body === null) throw new ApiError("The server's answer was not JSON.");
    return body;
  }

  function announce(message) {
    // Emptied first so that the same message twice is announced twice
    status.textContent = "";
    window.setTimeout(() => {
      status.textContent = message;
    }, 50);
  }

  function plural(count, one, many) {
    return `${count} ${count === 1 ? one : many}`;
  }

  const enc = encodeURIComponent;
  const articleRoute = (slug) => `#/articles/${enc(slug)}`;
  const sectionRoute = (article, section) => `${articleRoute(article)}/sections/${enc(section)}`;
  const searchRoute = (query) => `#/search?q=${enc(query)}`;
  // ?format=json: a browser following the link asks for HTML, which the API also serves
  const apiHref = (path) => API_ROOT + path + "?format=json";

  /** `share_widget` -> `Share widget`: the parser's reasons are enum values. */
  function readableReason(reason) {
    const words = String(reason).replace(/[_-]+/g, " ").trim();
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  function paragraphs(text) {
    return String(text)
      .split(/\n\s*\n/)
      .map((part) => part.trim())
      .filter((part) => part !== "")
      .map((part) => el("p", {}, part));
  }

  function setPage(title, { current = null } = {}) {
    pageTitle.textContent = title;
    document.title = title === "article-qa" ? title : `${title} · article-qa`;
    if (current) navArticles.setAttribute("aria-current", "page");
    else navArticles.removeAttribute("aria-current");
  }

  function show(...nodes) {
    view.replaceChildren(...nodes.flat(Infinity).filter((node) => node !== null && node !== false));
  }

  function showError(what, error) {
    const problem = error instanceof ApiError ? error.problem : {};
    const suggestions = Array.isArray(problem.suggestions) ? problem.suggestions : [];
    setPage(what);
    show(
      el(
        "div",
        { class: "problem", role: "alert" },
        el("p", { class: "problem-detail" }, error.message || String(error)),
        suggestions.length
          ? el(
              "p",
              {},
              "Did you mean: ",
              suggestions.map((slug, index) => [
                index ? ", " : "",
                el("a", { href: articleRoute(slug) }, slug),
              ]),
              "?",
            )
          : null,
        el("p", {}, el("a", { href: "#/" }, "Back to the articles")),
      ),
    );
    announce(what);
  }

  function loading(title) {
    setPage(title);
    show(el("p", { class: "loading" }, "Loading…"));
  }

  // --- The article list ------------------------------------------------------------------

  async function renderArticles(token) {
    loading("Articles");
    setPage("Articles", { current: true });
    const page = await getJSON(`/articles?limit=${ARTICLE_LIMIT}`);
    if (token !== currentRender) return;
    const items = page.items.map((article) =>
      el(
        "li",
        { class: "article-item" },
        el("a", { href: articleRoute(article.slug), class: "article-link" }, article.title),
        el(
          "p",
          { class: "meta" },
          `${plural(article.section_count, "section", "sections")} · language `,
          el("code", {}, article.language),
          " · ",
          el("a", { href: apiHref(article.url), class: "api-link" }, "JSON"),
        ),
      ),
    );
    const count = plural(page.total, "article", "articles");
    show(
      el(
        "p",
        { class: "summary" },
        page.total > page.items.length
          ? `${count}, the first ${page.items.length} shown.`
          : `${count}.`,
      ),
      items.length ? el("ul", { class: "article-list" }, items) : el("p", {}, "No articles yet."),
    );
    announce(count);
  }

  // --- An article's outline --------------------------------------------------------------

  function questionMarker(isQuestion) {
    // Visible and read out: the badge's text says what it is, no icon-only meaning
    return isQuestion
      ? el("span", { class: "badge badge-question" }, "Question")
      : el("span", { class: "badge badge-plain" }, "Not a question");
  }

  function sectionItem(article, section) {
    const details = el(
      "details",
      { id: `section-${section.slug}`, class: "section-details" },
      el(
        "summary",
        {},
        el("span", { class: "section-heading" }, section.heading),
        " ",
        questionMarker(section.is_question),
        " ",
        el("span", { class: "level" }, `level ${section.level}`),
      ),
      el(
        "div",
        { class: "section-body" },
        paragraphs(section.body),
        el(
          "p",
          { class: "meta" },
          `${plural(section.word_count, "word", "words")} · `,
          el("a", { href: sectionRoute(article.slug, section.slug) }, "Link to this section"),
          " · ",
          el("a", { href: apiHref(section.url), class: "api-link" }, "JSON"),
        ),
      ),
    );
    return el(
      "li",
      {
        class: "section",
        "data-slug": section.slug,
        "data-level": section.level,
        "data-question": section.is_question ? "true" : "false",
      },
      details,
    );
  }

  /** Sections nested under their parent (parent_slug), so indentation follows the levels. */
  function outline(article) {
    const top = el("ol", { class: "outline" });
    const children = new Map();
    for (const section of article.sections) {
      const item = sectionItem(article, section);
      const parent = section.parent_slug !== null ? children.get(section.parent_slug) : undefined;
      let list = top;
      if (parent) {
        if (!parent.list) {
          parent.list = el("ol", { class: "outline" });
          parent.item.append(parent.list);
        }
        list = parent.list;
      }
      list.append(item);
      children.set(section.slug, { item, list: null });
    }
    return top;
  }

  function droppedList(dropped) {
    return el(
      "ul",
      { class: "dropped-list" },
      dropped.map((block) =>
        el(
          "li",
          { class: "dropped", "data-reason": block.reason },
          el(
            "p",
            { class: "reason" },
            el("strong", {}, readableReason(block.reason)),
            " ",
            el("code", {}, block.reason),
          ),
          block.text.trim()
            ? el("blockquote", { class: "dropped-text" }, block.text)
            : el("p", { class: "dropped-text empty" }, "(only whitespace)"),
        ),
      ),
    );
  }

  async function renderArticle(token, slug, sectionSlug) {
    loading("Article");
    const article = await getJSON(`/articles/${enc(slug)}`);
    if (token !== currentRender) return;
    setPage(article.title);
    const apiPath = `/articles/${enc(article.slug)}`;
    const questions = article.sections.filter((section) => section.is_question).length;
    const facts = [
      ["Language", el("code", {}, article.language)],
      ["Format", article.format],
      ["Words", String(article.word_count)],
      ["Source", el("code", {}, article.source)],
      ["JSON", el("a", { href: apiHref(apiPath), class: "api-link" }, apiPath)],
    ];
    show(
      el(
        "dl",
        { class: "facts" },
        facts.map(([name, value]) => el("div", {}, el("dt", {}, name), el("dd", {}, value))),
      ),
      el(
        "section",
        { "aria-labelledby": "lead-heading", class: "lead" },
        el("h2", { id: "lead-heading" }, "Lead"),
        article.lead.trim() ? paragraphs(article.lead) : el("p", { class: "empty" }, "(no lead)"),
      ),
      el(
        "section",
        { "aria-labelledby": "sections-heading" },
        el(
          "h2",
          { id: "sections-heading" },
          `Sections (${article.sections.length}, ${plural(questions, "question", "questions")})`,
        ),
        article.sections.length
          ? [
              el("p", { class: "hint" }, "Open a section to read its body."),
              outline(article),
            ]
          : el("p", { class: "empty" }, "(no sections)"),
      ),
      el(
        "section",
        { "aria-labelledby": "dropped-heading" },
        el("h2", { id: "dropped-heading" }, `Dropped (${article.dropped.length})`),
        el("p", { class: "hint" }, "What the parser left out, and the rule that left it out."),
        article.dropped.length
          ? droppedList(article.dropped)
          : el("p", { class: "empty" }, "Nothing was dropped."),
      ),
    );
    const sections = plural(article.sections.length, "section", "sections");
    announce(`${article.title}: ${sections}, ${article.dropped.length} dropped`);
    if (sectionSlug !== null) openSection(sectionSlug);
  }

  function openSection(sectionSlug) {
    const details = document.getElementById(`section-${sectionSlug}`);
    if (!details) {
      const missing = `This article has no section “${sectionSlug}”.`;
      view.prepend(el("p", { class: "problem", role: "alert" }, missing));
      return;
    }
    details.open = true;
    details.classList.add("current");
    const summary = details.querySelector("summary");
    summary.focus();
    details.scrollIntoView({ block: "start" });
  }

  // --- Search ----------------------------------------------------------------------------

  /** `text` with its highlights (code point offsets) in <mark>: text nodes only. */
  function highlighted(text, highlights) {
    const chars = Array.from(text);
    const spans = highlights
      .map((span) => [Math.max(0, span.start), Math.min(chars.length, span.end)])
      .filter(([start, end]) => start < end)
      .sort((a, b) => a[0] - b[0]);
    const nodes = [];
    let at = 0;
    for (const [start, end] of spans) {
      if (start < at) continue; // overlapping: the first one wins
      if (start > at) nodes.push(chars.slice(at, start).join(""));
      nodes.push(el("mark", {}, chars.slice(start, end).join("")));
      at = end;
    }
    if (at < chars.length) nodes.push(chars.slice(at).join(""));
    return nodes;
  }

  function hitItem(hit) {
    const inOutline =
      hit.section_slug === null
        ? articleRoute(hit.article_slug)
        : sectionRoute(hit.article_slug, hit.section_slug);
    const name = hit.heading === null ? `${hit.article_title} (lead)` : hit.heading;
    return el(
      "li",
      { class: "hit", "data-section": hit.section_slug || "" },
      el("h2", { class: "hit-heading" }, el("a", { href: inOutline, class: "hit-link" }, name)),
      el(
        "p",
        { class: "meta" },
        hit.is_question ? [questionMarker(true), " "] : null,
        "in ",
        el("a", { href: articleRoute(hit.article_slug) }, hit.article_title),
        ` · confidence ${Math.round(hit.confidence * 100)}%`,
      ),
      el("p", { class: "snippet" }, highlighted(hit.text, hit.highlights)),
      el(
        "p",
        { class: "meta" },
        el("a", { href: apiHref(hit.url), class: "api-link" }, `JSON: ${hit.url}`),
      ),
    );
  }

  async function renderSearch(token, query) {
    searchInput.value = query;
    if (query.trim() === "") {
      setPage("Search");
      show(el("p", {}, "Type words to look for in the sections, then press Enter."));
      announce("Search");
      return;
    }
    loading(`Search: ${query}`);
    const results = await getJSON(`/search?q=${enc(query)}&limit=${HIT_LIMIT}`);
    if (token !== currentRender) return;
    const count = `${plural(results.total, "hit", "hits")} for “${results.query}”`;
    const shown =
      results.total > results.hits.length ? `, the best ${results.hits.length} shown` : "";
    const corrections = results.corrections.map(
      (correction) => `“${correction.original}” as “${correction.corrected}”`,
    );
    show(
      el("p", { class: "summary" }, `${count}${shown}.`),
      corrections.length
        ? el("p", { class: "corrections" }, `Searched for ${corrections.join(", ")}.`)
        : null,
      results.hits.length
        ? el("ol", { class: "hits" }, results.hits.map(hitItem))
        : el("p", {}, "No section matches."),
    );
    announce(count);
  }

  // --- Routing: the state is in the URL's hash, so links, reloads and Back work ------------

  function parseRoute(hash) {
    const path = hash.replace(/^#/, "");
    if (path === "" || path === "/") return { name: "articles" };
    const search = path.match(/^\/search(?:\?(.*))?$/);
    if (search) {
      return { name: "search", query: new URLSearchParams(search[1] || "").get("q") || "" };
    }
    const article = path.match(/^\/articles\/([^/?]+)(?:\/sections\/([^/?]+))?\/?$/);
    if (article) {
      try {
        return {
          name: "article",
          slug: decodeURIComponent(article[1]),
          section: article[2] === undefined ? null : decodeURIComponent(article[2]),
        };
      } catch (error) {
        return { name: "unknown" };
      }
    }
    return path.startsWith("/") ? { name: "unknown" } : { name: "anchor" };
  }

  async function route({ focus }) {
    const where = parseRoute(window.location.hash);
    if (where.name === "anchor") return; // an in-page link (the skip link), not a view
    const token = ++currentRender;
    try {
      if (where.name === "articles") await renderArticles(token);
      else if (where.name === "search") await renderSearch(token, where.query);
      else if (where.name === "article") await renderArticle(token, where.slug, where.section);
      else {
        setPage("Page not found");
        const home = el("a", { href: "#/" }, "See the articles.");
        show(el("p", { class: "problem", role: "alert" }, "This page does not exist. ", home));
      }
    } catch (error) {
      if (token !== currentRender) return;
      const what = {
        articles: "Could not list the articles",
        search: "Could not search",
        article: "Could not show the article",
      }[where.name];
      showError(what || "Something went wrong", error);
    }
    // After a navigation, focus the new view's heading (a deep link focused its section)
    if (focus && token === currentRender && !(where.name === "article" && where.section !== null)) {
      pageTitle.focus();
    }
  }

  searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const target = searchRoute(searchInput.value.trim());
    if (window.location.hash === target) route({ focus: true });
    else window.location.hash = target;
  });

  document.getElementById("skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    document.getElementById("main").focus();
  });

  window.addEventListener("hashchange", () => route({ focus: true }));
  route({ focus: false });
})();
