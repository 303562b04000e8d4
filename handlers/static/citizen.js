// The case page's subscription card: configure WeChat's JS-SDK so the
// wx-open-subscribe tag shows its button; outside WeChat (no SDK, or
// wx.config refused) the card says to open the page in WeChat. The
// citizen's answer reaches the server from the platform, not from here.
(function () {
  "use strict";
  const card = document.getElementById("subscribe");
  if (!card || typeof wx === "undefined") return;
  wx.config({
    debug: false,
    appId: card.dataset.appid,
    timestamp: Number(card.dataset.timestamp),
    nonceStr: card.dataset.nonce,
    signature: card.dataset.signature,
    jsApiList: ["checkJsApi"],
    openTagList: ["wx-open-subscribe"],
  });
  wx.ready(function () { card.classList.add("ready"); });
  const tag = document.getElementById("subscribe-button");
  if (!tag) return;
  tag.addEventListener("success", function (e) {
    let details = {};
    try { details = JSON.parse(e.detail.subscribeDetails || "{}"); } catch (err) { return; }
    const accepted = Object.values(details).some(function (d) {
      try { return JSON.parse(d).status === "accept"; } catch (err) { return false; }
    });
    if (accepted) document.getElementById("subscribed").hidden = false;
  });
})();
