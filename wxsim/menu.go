package wxsim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
)

// Menu returns the JSON last accepted by /cgi-bin/menu/create, or nil.
func (p *Platform) Menu() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bytes.Clone(p.menu)
}

// handleMenuCreate answers /cgi-bin/menu/create: one to three top-level
// buttons, as the platform allows.
func (p *Platform) handleMenuCreate(w http.ResponseWriter, r *http.Request) {
	if !p.checkToken(w, r) {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody))
	if err != nil || len(bytes.TrimSpace(body)) == 0 {
		writeErr(w, 44002)
		return
	}
	var m struct {
		Button []json.RawMessage `json:"button"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		writeErr(w, 47001)
		return
	}
	if len(m.Button) == 0 || len(m.Button) > 3 {
		writeErr(w, 40016)
		return
	}
	p.menu = body
	writeOK(w, nil)
}

// handleMenuGet answers /cgi-bin/menu/get with the menu wrapped as the
// platform wraps it.
func (p *Platform) handleMenuGet(w http.ResponseWriter, r *http.Request) {
	if !p.checkToken(w, r) {
		return
	}
	if p.menu == nil {
		writeErr(w, 46003)
		return
	}
	writeJSON(w, map[string]any{"menu": json.RawMessage(p.menu)})
}

func (p *Platform) handleMenuDelete(w http.ResponseWriter, r *http.Request) {
	if !p.checkToken(w, r) {
		return
	}
	p.menu = nil
	writeOK(w, nil)
}
