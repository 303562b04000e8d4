package handlers

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"jiefen/wxsim"
)

//go:embed demo
var demoFiles embed.FS

// Demo is the simulated WeChat of `jiefen demo`: a chat page whose messages
// go through the real callback, signed and encrypted by the stand-in
// platform (wxsim), and the stand-in's API that the bot sends to.
type Demo struct {
	Platform *wxsim.Platform
	Client   *wxsim.Client
	Log      *slog.Logger
	Account  string // the official account's name shown in the chat, after the table's city: 通化解纷服务

	closing <-chan struct{} // closed when the server shuts down
}

func (d *Demo) routes(mux *http.ServeMux) {
	mux.Handle("/wxapi/", http.StripPrefix("/wxapi", d.Platform))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/demo/", http.StatusFound)
	})
	mux.HandleFunc("GET /demo/{$}", d.page)
	mux.Handle("GET /demo/static/", http.StripPrefix("/demo/static/", http.FileServerFS(mustSub(demoFiles, "demo"))))
	mux.HandleFunc("POST /demo/api/send", d.send)
	mux.HandleFunc("GET /demo/api/pushed", d.pushed)
}

func (d *Demo) page(w http.ResponseWriter, r *http.Request) {
	b, _ := demoFiles.ReadFile("demo/chat.html")
	page := strings.Replace(string(b), "{{account}}", html.EscapeString(cmp.Or(d.Account, "解纷服务")), 1)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, page)
}

type demoSend struct {
	OpenID string `json:"openid"`
	Kind   string `json:"kind"`
	Text   string `json:"text"`
	Event  string `json:"event"`
	Key    string `json:"key"`
}

// send plays the platform: it builds the callback, signs and encrypts it,
// posts it to /wechat with the platform's retries, and returns the reply.
func (d *Demo) send(w http.ResponseWriter, r *http.Request) {
	var in demoSend
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&in); err != nil || !strings.HasPrefix(in.OpenID, "oDemo") {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "请求格式不对"})
		return
	}
	var m *wxsim.Message
	switch in.Kind {
	case "text":
		m = d.Client.Text(in.OpenID, in.Text)
	case "event":
		m = d.Client.Event(in.OpenID, in.Event, in.Key)
	case "voice":
		id := fmt.Sprintf("demo-voice-%d", time.Now().UnixNano())
		d.Platform.AddMedia(id, "audio/amr", []byte("#!AMR\n"))
		m = d.Client.Voice(in.OpenID, id, "")
	case "image":
		id := fmt.Sprintf("demo-image-%d", time.Now().UnixNano())
		d.Platform.AddMedia(id, "image/png", demoImage())
		m = d.Client.Image(in.OpenID, id, "")
	default:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "不支持的消息类型"})
		return
	}
	d.Platform.AddUser(in.OpenID)
	rep, err := d.Client.Deliver(r.Context(), m)
	if err != nil {
		// The error would name the callback URL, openid included.
		d.Log.Warn("demo delivery failed")
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": "公众号暂时无法提供服务，请稍后再试"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"reply": rep.Content})
}

// pushed streams what the bot sent through the platform API (server-sent events).
func (d *Demo) pushed(w http.ResponseWriter, r *http.Request) {
	openID := r.URL.Query().Get("openid")
	flusher, ok := w.(http.Flusher)
	if !ok || openID == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	// Subscribed before the past is read, so nothing falls between them;
	// a delivery in both is sent once (by its sequence number).
	ch, cancel := d.Platform.Subscribe()
	defer cancel()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	// A page opened again (or reconnecting) gets what was pushed while it
	// was away: after the last sequence number it saw.
	since, _ := strconv.ParseInt(cmp.Or(r.Header.Get("Last-Event-ID"), r.URL.Query().Get("since")), 10, 64)
	write := func(dl wxsim.Delivery) {
		if dl.Seq <= since || dl.OpenID != openID || dl.Passive {
			return
		}
		since = dl.Seq
		text := dl.Text
		if dl.Kind == "template" || dl.Kind == "subscribe" {
			text = templateText(dl)
		}
		b, _ := json.Marshal(map[string]string{"kind": dl.Kind, "text": text})
		_, _ = fmt.Fprintf(w, "id: %d\ndata: %s\n\n", dl.Seq, b)
	}
	for _, dl := range d.Platform.Deliveries(openID) {
		write(dl)
	}
	flusher.Flush()
	keepAlive := time.NewTicker(25 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-d.closing:
			return
		case <-keepAlive.C:
			_, _ = w.Write([]byte(": keep-alive\n\n"))
			flusher.Flush()
		case dl, ok := <-ch:
			if !ok {
				return
			}
			write(dl)
			flusher.Flush()
		}
	}
}

// templateText renders a template message or a subscription notice the
// way the chat shows it: its fields in order, then the link.
func templateText(dl wxsim.Delivery) string {
	var b strings.Builder
	b.WriteString("案件进展通知")
	for _, k := range slices.Sorted(maps.Keys(dl.Data)) {
		if v := dl.Data[k]; v != "" {
			b.WriteString("\n" + v)
		}
	}
	if dl.URL != "" {
		b.WriteString("\n详情：" + dl.URL)
	}
	return b.String()
}

// demoImage is a small picture standing in for a photo of evidence.
func demoImage() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{uint8(120 + x), uint8(140 + y), 200, 255})
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
