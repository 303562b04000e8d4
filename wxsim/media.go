package wxsim

import (
	"crypto/rand"
	"encoding/base64"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

// MediaLifetime is how long temporary media can be fetched after upload.
const MediaLifetime = 72 * time.Hour

// maxMediaUpload bounds one upload; the platform's largest type (video) is
// 10 MB.
const maxMediaUpload = 10 << 20

type mediaItem struct {
	contentType string
	data        []byte
	added       time.Time
}

// AddMedia stores temporary media as if the citizen had sent it, so the bot
// can fetch it by media_id for three days.
func (p *Platform) AddMedia(mediaID, contentType string, data []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.media[mediaID] = mediaItem{contentType: contentType, data: append([]byte(nil), data...), added: p.now()}
}

// liveMedia returns the media if it exists and has not expired. Caller
// holds mu.
func (p *Platform) liveMedia(id string) (mediaItem, bool) {
	m, ok := p.media[id]
	if !ok || p.now().Sub(m.added) >= MediaLifetime {
		return mediaItem{}, false
	}
	return m, true
}

// extensions gives the file name suffix the platform puts in
// Content-disposition.
var extensions = map[string]string{
	"image/jpeg": ".jpg",
	"image/png":  ".png",
	"audio/amr":  ".amr",
	"audio/mpeg": ".mp3",
	"video/mp4":  ".mp4",
}

// handleMediaGet answers /cgi-bin/media/get: the bytes with their type, or
// a JSON error the bot must recognise by its Content-Type.
func (p *Platform) handleMediaGet(w http.ResponseWriter, r *http.Request) {
	if !p.checkToken(w, r) {
		return
	}
	id := r.URL.Query().Get("media_id")
	m, ok := p.liveMedia(id)
	if !ok {
		writeErr(w, 40007)
		return
	}
	if strings.HasPrefix(m.contentType, "video/") {
		// Video is not served directly; the platform hands out a link.
		writeJSON(w, map[string]any{"video_url": "http://" + r.Host + videoPath + id})
		return
	}
	w.Header().Set("Content-Type", m.contentType)
	w.Header().Set("Content-disposition", `attachment; filename="`+id+extensions[m.contentType]+`"`)
	w.Header().Set("Cache-Control", "no-cache, must-revalidate")
	_, _ = w.Write(m.data)
}

// videoPath is where the video_url links given by media/get point; the real
// platform uses a CDN host, which a stand-in cannot.
const videoPath = "/wxsim/video/"

// serveVideo serves a video_url link; like a CDN link it needs no token.
func (p *Platform) serveVideo(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	m, ok := p.liveMedia(strings.TrimPrefix(r.URL.Path, videoPath))
	p.mu.Unlock()
	if !ok || !strings.HasPrefix(m.contentType, "video/") {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", m.contentType)
	_, _ = w.Write(m.data)
}

// handleMediaUpload answers /cgi-bin/media/upload (multipart field "media")
// so a bot can send images or voice by customer-service message.
func (p *Platform) handleMediaUpload(w http.ResponseWriter, r *http.Request) {
	if !p.checkToken(w, r) {
		return
	}
	typ := r.URL.Query().Get("type")
	switch typ {
	case "image", "voice", "video", "thumb":
	default:
		writeErr(w, 40004)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxMediaUpload+1<<20)
	f, hdr, err := r.FormFile("media")
	if err != nil {
		writeErr(w, 41005)
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil || len(data) == 0 {
		writeErr(w, 41005)
		return
	}
	ct := hdr.Header.Get("Content-Type")
	if ct == "" || ct == "application/octet-stream" {
		if byExt := mime.TypeByExtension(strings.ToLower(extOf(hdr.Filename))); byExt != "" {
			ct = byExt
		} else {
			ct = http.DetectContentType(data)
		}
	}
	b := make([]byte, 48)
	_, _ = rand.Read(b)
	id := base64.RawURLEncoding.EncodeToString(b)
	now := p.now()
	p.media[id] = mediaItem{contentType: ct, data: data, added: now}
	writeJSON(w, map[string]any{"type": typ, "media_id": id, "created_at": now.Unix()})
}

func extOf(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}
