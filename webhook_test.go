package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"jiefen/routing"
	"jiefen/wxsim"
)

// A body with a webhook receives the referral in its own system, signed,
// when a citizen's case is routed to it; the agency verifies the signature.
func TestReferralReachesAgency(t *testing.T) {
	onBothStores(t, envOptions{mode: wxsim.Safe}, func(t *testing.T, o envOptions) {
		const secret = "agency-secret-lh"
		var mu sync.Mutex
		var got []map[string]any
		agency := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			ts := r.Header.Get("X-Jiefen-Timestamp")
			m := hmac.New(sha256.New, []byte(secret))
			m.Write([]byte(ts + "." + string(body)))
			if r.Header.Get("X-Jiefen-Signature") != "sha256="+hex.EncodeToString(m.Sum(nil)) || r.Header.Get("X-Jiefen-Delivery") == "" {
				http.Error(w, "bad signature", http.StatusUnauthorized)
				return
			}
			var p map[string]any
			_ = json.Unmarshal(body, &p)
			mu.Lock()
			got = append(got, p)
			mu.Unlock()
			w.WriteHeader(http.StatusAccepted)
		}))
		defer agency.Close()
		t.Setenv("LH_LABOR_WEBHOOK_SECRET", secret)
		table := strings.Replace(string(routing.BuiltinYAML()), "  - id: lh-labor\n",
			"  - id: lh-labor\n    webhook: {url: \""+agency.URL+"/referrals\", secret_env: LH_LABOR_WEBHOOK_SECRET}\n", 1)
		routes := filepath.Join(t.TempDir(), "routes.yaml")
		if err := os.WriteFile(routes, []byte(table), 0o600); err != nil {
			t.Fatal(err)
		}
		o.routes = routes
		e := newEnv(t, o)
		const who = "oCitizenWebhook"
		id := e.fileCase(who, "在柳河县砖厂干活的工资拖了四个月，我电话13812345678")
		eventually(t, "the referral at the agency", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(got) == 1
		})
		p := got[0]
		c, _ := p["case"].(map[string]any)
		if c["id"] != id || !strings.Contains(p["story"].(string), "砖厂") || !strings.Contains(p["link"].(string), "/console/cases/"+id) {
			t.Fatalf("referral %v", p)
		}
	})
}
