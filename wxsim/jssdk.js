// wxsim's stand-in of WeChat's JS-SDK (jweixin-1.6.0.js) for browsers
// outside WeChat: wx.config is checked by the stand-in platform like the
// WeChat client checks it, and <wx-open-subscribe> shows its button and a
// stand-in of the subscription popup. Only what jiefen's pages use.
(function () {
  "use strict";
  var src = document.currentScript.src;
  var base = src.slice(0, src.indexOf("/open/js/"));
  var readyFns = [], errorFns = [], state = "";
  function post(path, body) {
    // text/plain: a simple request, no preflight, from the page's origin.
    return fetch(base + path, { method: "POST", headers: { "Content-Type": "text/plain" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json(); });
  }
  function popup(tag) {
    var templates = (tag.getAttribute("template") || "").split(",").filter(Boolean);
    var sheet = document.createElement("div");
    sheet.className = "wxsim-popup";
    sheet.setAttribute("role", "dialog");
    sheet.style.cssText = "position:fixed;left:0;right:0;bottom:0;background:#fff;padding:20px 16px;box-shadow:0 -4px 24px rgba(0,0,0,.2);border-radius:12px 12px 0 0;font:16px/1.6 sans-serif;z-index:1000";
    var title = document.createElement("p");
    title.textContent = "允许公众号向你发送以下通知？";
    title.style.cssText = "margin:0 0 8px;font-weight:600";
    sheet.appendChild(title);
    templates.forEach(function (t) {
      var li = document.createElement("p");
      li.textContent = "✓ 案件进展通知";
      li.style.cssText = "margin:4px 0;color:#555";
      sheet.appendChild(li);
    });
    var row = document.createElement("p");
    row.style.cssText = "display:flex;gap:12px;margin:16px 0 0";
    [["reject", "取消"], ["accept", "允许"]].forEach(function (b) {
      var btn = document.createElement("button");
      btn.textContent = b[1];
      btn.className = "wxsim-" + b[0];
      btn.style.cssText = "flex:1;padding:10px;border:0;border-radius:8px;font-size:16px;" + (b[0] === "accept" ? "background:#07c160;color:#fff" : "background:#f2f2f2;color:#333");
      btn.addEventListener("click", function () {
        sheet.remove();
        var openid = localStorage.getItem("wxsim-openid") || "";
        post("/wxsim/subscribe", { openid: openid, templates: templates, status: b[0] }).then(function () {
          var details = {};
          templates.forEach(function (t) { details[t] = JSON.stringify({ status: b[0] }); });
          tag.dispatchEvent(new CustomEvent("success", { detail: { errMsg: "subscribe:ok", subscribeDetails: JSON.stringify(details) } }));
        });
      });
      row.appendChild(btn);
    });
    sheet.appendChild(row);
    document.body.appendChild(sheet);
  }
  function defineTags() {
    if (customElements.get("wx-open-subscribe")) return;
    customElements.define("wx-open-subscribe", class extends HTMLElement {
      connectedCallback() {
        if (this.shadowRoot) return;
        var tpl = this.querySelector('script[type="text/wxtag-template"]');
        var root = this.attachShadow({ mode: "open" });
        root.innerHTML = tpl ? tpl.textContent : "";
        var tag = this;
        root.addEventListener("click", function () { popup(tag); });
      }
    });
  }
  window.wx = {
    config: function (c) {
      post("/wxsim/jssdk/config", { appId: c.appId, timestamp: c.timestamp, nonceStr: c.nonceStr, signature: c.signature,
        url: location.href.split("#")[0] }).then(function (r) {
        if (r.errMsg === "config:ok") {
          state = "ok";
          defineTags();
          readyFns.forEach(function (f) { f(); });
        } else {
          state = "error";
          errorFns.forEach(function (f) { f(r); });
        }
      });
    },
    ready: function (f) { if (state === "ok") f(); else readyFns.push(f); },
    error: function (f) { errorFns.push(f); },
  };
})();
