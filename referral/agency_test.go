package referral

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// agency is a stand-in for an agency's webhook endpoint. It checks every
// request as an agency should (method, content type, the signature over
// timestamp + "." + body with its own HMAC code, the delivery id matching
// the body) and refuses a bad one with 401. It deduplicates by delivery
// id: the first good request of an id is the referral, later ones are
// answered 200 and only counted.
//
// Its modes play an outage: down (nothing listening: connection refused),
// "503", "hang" (it reads the request, then never answers until the
// client gives up: a timeout after the agency has the referral) and "ok".
type agency struct {
	t      *testing.T
	secret string
	addr   string

	mu       sync.Mutex
	srv      *httptest.Server
	mode     string
	requests map[string]int    // delivery id → good requests seen
	accepted map[string][]byte // delivery id → the payload, taken the first time
	dups     map[string]int    // delivery id → requests after it was taken (dropped as duplicates)
	answered map[string]bool   // delivery id → a 2xx reached jiefen
	resent   []string          // ids requested again after a 2xx reached jiefen
	bad      int               // requests refused for a bad signature or shape
}

// newAgency reserves an address with nothing listening on it yet.
func newAgency(t *testing.T, secret string) *agency {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := &agency{t: t, secret: secret, addr: l.Addr().String(), mode: "ok",
		requests: map[string]int{}, accepted: map[string][]byte{}, dups: map[string]int{}, answered: map[string]bool{}}
	l.Close()
	t.Cleanup(a.down)
	return a
}

func (a *agency) url() string { return "http://" + a.addr + "/referrals" }

// up starts listening (again) on the agency's address.
func (a *agency) up() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.srv != nil {
		return
	}
	l, err := net.Listen("tcp", a.addr)
	if err != nil {
		a.t.Fatalf("agency listen on %s: %v", a.addr, err)
	}
	a.srv = httptest.NewUnstartedServer(http.HandlerFunc(a.serve))
	a.srv.Listener.Close()
	a.srv.Listener = l
	a.srv.Start()
}

// down stops listening: connections are refused.
func (a *agency) down() {
	a.mu.Lock()
	srv := a.srv
	a.srv = nil
	a.mu.Unlock()
	if srv != nil {
		srv.CloseClientConnections()
		srv.Close()
	}
}

func (a *agency) setMode(m string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mode = m
}

func (a *agency) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	id := r.Header.Get("X-Jiefen-Delivery")
	if !a.verify(r, body, id) {
		a.mu.Lock()
		a.bad++
		a.mu.Unlock()
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	a.mu.Lock()
	a.requests[id]++
	mode := a.mode
	if mode != "503" { // it takes the referral (a hanging agency too: only its answer is lost)
		if _, seen := a.accepted[id]; seen {
			a.dups[id]++
		} else {
			a.accepted[id] = body
		}
	}
	if a.answered[id] {
		a.resent = append(a.resent, id)
	}
	a.mu.Unlock()

	switch mode {
	case "503":
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	case "hang":
		select {
		case <-r.Context().Done(): // jiefen gave up waiting
		case <-time.After(10 * time.Second):
			a.t.Errorf("agency: the client never timed out")
		}
	default:
		w.WriteHeader(http.StatusOK)
		a.mu.Lock()
		a.answered[id] = true
		a.mu.Unlock()
	}
}

// verify checks a request as an agency would, with its own HMAC code
// rather than the package's Sign.
func (a *agency) verify(r *http.Request, body []byte, id string) bool {
	ts := r.Header.Get("X-Jiefen-Timestamp")
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil || r.Method != http.MethodPost || id == "" ||
		r.Header.Get("Content-Type") != "application/json" {
		return false
	}
	m := hmac.New(sha256.New, []byte(a.secret))
	m.Write([]byte(ts + "." + string(body)))
	want := "sha256=" + hex.EncodeToString(m.Sum(nil))
	if !hmac.Equal([]byte(r.Header.Get("X-Jiefen-Signature")), []byte(want)) {
		return false
	}
	var p struct {
		Delivery string `json:"delivery"`
	}
	return json.Unmarshal(body, &p) == nil && p.Delivery == id
}

// seen is a copy of what the agency saw.
type seen struct {
	requests map[string]int
	accepted map[string][]byte
	dups     map[string]int
	resent   []string
	bad      int
}

func (a *agency) stats() seen {
	a.mu.Lock()
	defer a.mu.Unlock()
	return seen{requests: maps.Clone(a.requests), accepted: maps.Clone(a.accepted), dups: maps.Clone(a.dups),
		resent: slices.Clone(a.resent), bad: a.bad}
}
