// The console's live view: a websocket tells which case changed; the page
// fetches that case's fresh HTML (rendered and escaped by the server) and
// puts it in place. No client-side model.
(function () {
  "use strict";
  // The printable invitation's button (no inline script: the pages' policy forbids it).
  document.querySelectorAll("button.print").forEach((b) => b.addEventListener("click", () => window.print()));
  const main = document.querySelector("main[data-page]");
  if (!main) return;
  const page = main.dataset.page;
  const live = document.getElementById("live");
  const unread = JSON.parse(localStorage.getItem("jiefen-unread") || "{}");

  function markUnread() {
    document.querySelectorAll("tr[data-case]").forEach((tr) => {
      const b = tr.querySelector(".badge.unread");
      if (b) b.hidden = !unread[tr.dataset.case];
    });
  }
  if (page === "case") {
    delete unread[main.dataset.case];
    localStorage.setItem("jiefen-unread", JSON.stringify(unread));
  }
  markUnread();

  // The thread reads top to bottom; show its newest end.
  function toBottom() {
    const ol = document.querySelector("#thread .events");
    if (ol) ol.scrollTop = ol.scrollHeight;
  }
  toBottom();

  async function fragment(url) {
    const r = await fetch(url, { credentials: "same-origin" });
    if (r.redirected) { location.reload(); return null; } // the session ended: to the login page
    if (r.status === 404) { // the case left this body (declined, transferred)
      const id = decodeURIComponent(url.split("/")[3]);
      const row = document.getElementById("case-" + id);
      if (row) row.remove();
      return null;
    }
    if (!r.ok) return null;
    const t = document.createElement("template");
    t.innerHTML = (await r.text()).trim();
    return t.content;
  }

  // A message on its way shows "发送中" until the platform has it; the
  // store tells no one when that happens, so the page looks again while
  // any is on its way.
  // What the mediator has on screen: a reply is checked against it, so one
  // drafted while the citizen wrote again is not sent past their words.
  function seenNow() {
    const ol = document.querySelector("#thread .events");
    const seen = document.querySelector("form.reply input[name=seen]");
    if (ol && seen) seen.value = ol.dataset.lastIn;
  }

  let polling = null;
  function watchDeliveries() {
    if (page !== "case" || polling || !document.querySelector("#thread .delivery.pending")) return;
    polling = setTimeout(async () => {
      polling = null;
      const html = await fragment("/console/cases/" + encodeURIComponent(main.dataset.case) + "/thread");
      if (html) { document.getElementById("thread").replaceChildren(html); toBottom(); }
      watchDeliveries();
    }, 3000);
  }
  watchDeliveries();

  // Who else has this case open, as the server says (never oneself).
  function presence(ev) {
    const p = document.getElementById("presence");
    if (!p || page !== "case" || ev.case !== main.dataset.case) return;
    // The line keeps its place either way: nothing below it moves under
    // the mediator's pointer when a colleague comes or goes.
    p.textContent = ev.presence.length ? ev.presence.join("、") + " 也在查看此案件" : "目前没有其他人在查看此案件";
    p.classList.toggle("others", ev.presence.length > 0);
  }

  // With a search or a filter on, whether a changed case belongs on the
  // page is the page's own query's to say: the rows (and the views'
  // counts) are fetched again, at most once a second, rather than the
  // case's row put on top of a list it may not match.
  const filtered = [...new URLSearchParams(location.search).values()].some((v) => v !== "");
  let refreshing = null;
  // refreshRows re-runs the page's query (at most once a second) and puts
  // in its counts and, with rows, its rows: an unfiltered queue adds the
  // changed row itself, but its counts (全部, 未接手 …) still move.
  let refreshRowsToo = false;
  function refreshRows(rows = true) {
    refreshRowsToo = refreshRowsToo || rows;
    if (refreshing) return;
    refreshing = setTimeout(async () => {
      refreshing = null;
      const withRows = refreshRowsToo;
      refreshRowsToo = false;
      const r = await fetch(location.pathname + location.search, { credentials: "same-origin" });
      if (r.redirected) { location.reload(); return; }
      if (!r.ok) return;
      const doc = new DOMParser().parseFromString(await r.text(), "text/html");
      const fresh = doc.getElementById("rows");
      if (withRows && fresh) document.getElementById("rows").replaceWith(fresh);
      const views = doc.querySelector("nav.views"), nav = document.querySelector("nav.views");
      if (views && nav) nav.replaceWith(views);
      markUnread();
    }, 1000);
  }

  async function changed(ev) {
    if (Array.isArray(ev.presence)) { presence(ev); return; }
    if (ev.alert) {
      if (page !== "alerts") return;
      const html = await fragment("/console/alerts/" + encodeURIComponent(ev.alert) + "/card");
      if (!html) return;
      const old = document.getElementById("alert-" + ev.alert);
      // A card whose note is being typed keeps it: it is marked instead.
      if (old && old.contains(document.activeElement)) { old.classList.add("stale"); return; }
      const empty = document.querySelector("#open-alerts .empty");
      if (empty) empty.remove();
      if (old) old.replaceWith(html);
      else document.getElementById("open-alerts").prepend(html);
      return;
    }
    if (ev.gone) {
      const row = document.getElementById("case-" + ev.case);
      if (row) row.remove();
      if (page === "case" && ev.case === main.dataset.case) location.href = "/console/";
      return;
    }
    if (page === "queue" && filtered) {
      unread[ev.case] = true;
      localStorage.setItem("jiefen-unread", JSON.stringify(unread));
      refreshRows();
    } else if (page === "queue") {
      const html = await fragment("/console/cases/" + encodeURIComponent(ev.case) + "/row");
      if (!html) return;
      const old = document.getElementById("case-" + ev.case);
      const empty = document.querySelector("#rows tr.empty");
      if (empty) empty.remove();
      if (old) old.replaceWith(html);
      else document.getElementById("rows").prepend(html);
      unread[ev.case] = true;
      localStorage.setItem("jiefen-unread", JSON.stringify(unread));
      markUnread();
      refreshRows(false); // the counts
    } else if (page === "case" && ev.case === main.dataset.case) {
      const base = "/console/cases/" + encodeURIComponent(ev.case);
      const html = await fragment(base + "/thread");
      if (html) { document.getElementById("thread").replaceChildren(html); toBottom(); watchDeliveries(); seenNow(); }
      // The side panel too (who has the case, its status and deadline):
      // the forms below it keep what is being typed.
      const facts = await fragment(base + "/facts");
      const old = document.getElementById("facts");
      if (facts && old) old.replaceWith(facts);
    }
  }

  // Quick replies fill the reply box, to be edited before sending: from
  // the list, or Alt+1…9 for the first nine.
  document.querySelectorAll("select.quick").forEach((sel) => {
    const box = sel.form.querySelector("textarea");
    sel.addEventListener("change", () => {
      if (sel.value) { box.value = sel.value; box.focus(); }
      sel.value = "";
    });
    box.addEventListener("keydown", (e) => {
      const n = e.altKey && /^Digit[1-9]$/.test(e.code) ? Number(e.code.slice(5)) : 0;
      if (!n || n >= sel.options.length) return;
      e.preventDefault();
      box.value = sel.options[n].value;
    });
  });

  let delay = 1000;
  function connect() {
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/console/ws");
    ws.onopen = () => {
      delay = 1000;
      if (live) live.classList.add("on");
      // Tell the server which case this page shows, so colleagues see it
      // is open, and again every 10 s while it is: the heartbeat that
      // keeps it listed (a page that stops beating drops out in 30 s).
      if (page === "case") {
        const watch = JSON.stringify({ watch: main.dataset.case });
        ws.send(watch);
        const beat = setInterval(() => { if (ws.readyState === WebSocket.OPEN) ws.send(watch); else clearInterval(beat); }, 10000);
      }
    };
    ws.onmessage = (m) => { try { changed(JSON.parse(m.data)); } catch (e) { /* a bad message changes nothing */ } };
    ws.onclose = () => {
      if (live) live.classList.remove("on");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
