package handlers

import (
	"context"
	"embed"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"jiefen/caselink"
	"jiefen/catalog"
	"jiefen/referral"
	"jiefen/routing"
	"jiefen/store"
	"jiefen/workflow"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Web is the people's side of jiefen: the mediators' console, its JSON
// API and stream, and the citizen's case page. It holds what they share
// (the store, the workflow, templates, the stream hub, the audit log);
// each surface is a small type of its own over it (routes below).
type Web struct {
	Store store.Store
	Table *routing.Table
	Log   *slog.Logger
	Now   func() time.Time
	Cases *workflow.Cases // every operation on a case, and who may see and act on one
	// TemplateLinks is set when messages outside the window go as template
	// messages linking to the case page (a template id and a public URL).
	TemplateLinks bool
	// SubscribeTemplates are the subscription-notice templates the
	// citizen's page offers (JIEFEN_WECHAT_SUBSCRIBE_TEMPLATES), signed
	// for the JS-SDK by JSSDK, whose script is JSSDKURL (DefaultJSSDKURL
	// when empty). Without them the page offers none.
	SubscribeTemplates []string
	JSSDK              JSSDK
	JSSDKURL           string
	Links              caselink.Signer
	KickReferrals      func()          // wakes the webhook sender (a body's webhook changed)
	Hooks              *referral.Hooks // a body's webhook: the console's setting or the table's
	// TrustedProxies are the reverse proxies whose X-Forwarded-For (and
	// -Proto, -Host) are believed; from anyone else they are ignored.
	TrustedProxies []netip.Prefix
	// PIA writes the facts for the personal-information impact assessment
	// (what `jiefen pia` prints) for admins to download; nil: none.
	PIA func(ctx context.Context, w io.Writer) error
	// AILabel marks text an AI model wrote wherever it is shown
	// (catalog.AILabel with the configured model name and filing number).
	AILabel string

	once   sync.Once
	tpl    *template.Template
	hub    *hub
	views  viewLog // recent recorded views, so live refreshes are not recorded again
	people people  // users' display names, for pages (people.go)
}

// init parses the templates (a mistake in one fails at start, not on a
// page view) and makes the hub; Handler and Listen may come in any order.
func (c *Web) init() {
	c.once.Do(func() {
		c.tpl = template.Must(template.New("").Funcs(templateFuncs).Funcs(template.FuncMap{"bodyName": c.bodyName, "person": c.personName, "day": day, "aiLabel": c.aiLabel, "seesAlerts": c.Cases.CanSeeAlerts}).ParseFS(templateFiles, "templates/*.html"))
		c.hub = newHub(c)
	})
}

// The surfaces: each embeds the Web's shared parts and has only its own
// handlers.
type (
	auth       struct{ *Web } // login, logout, and the session and token middleware (auth.go)
	pages      struct{ *Web } // the console's pages (console_pages.go)
	forms      struct{ *Web } // the console's actions on a case (console_actions.go)
	admin      struct{ *Web } // statistics, bodies' webhooks, the audit log, users and tokens (stats.go, console_bodies.go, audit_page.go, console_users.go)
	apiSurface struct{ *Web } // the JSON API (api.go); its stream is the hub's
	casePage   struct{ *Web } // the citizen's case page (casepage.go)
)

// routes registers the console's pages, actions, stream and API, and the
// citizen's case page.
func (c *Web) routes(mux *http.ServeMux) {
	c.init()
	a, p, f, adm, cp := &auth{c}, &pages{c}, &forms{c}, &admin{c}, &casePage{c}
	mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(mustSub(staticFiles, "static"))))
	mux.HandleFunc("GET /console/login", a.loginPage)
	mux.HandleFunc("POST /console/login", a.login)
	mux.Handle("POST /console/logout", a.page(c.audited(store.AuditLogout, "", a.logout)))
	mux.Handle("GET /console/{$}", a.page(p.queuePage))
	mux.Handle("GET /console/cases/{id}", a.page(p.casePage))
	mux.Handle("GET /console/cases/{id}/thread", a.page(p.threadFragment))
	mux.Handle("GET /console/cases/{id}/row", a.page(p.rowFragment))
	mux.Handle("GET /console/cases/{id}/facts", a.page(p.factsFragment))
	mux.Handle("GET /console/overdue", a.page(p.overduePage))
	mux.Handle("GET /console/alerts", a.page(p.alertsPage))
	mux.Handle("GET /console/alerts/{id}", a.page(p.alertsPage))
	mux.Handle("GET /console/alerts/{id}/card", a.page(p.alertCardFragment))
	mux.Handle("POST /console/alerts/{id}/acknowledge", a.page(formAction(f.acknowledgeAlert, toAlerts)))
	mux.Handle("POST /console/alerts/{id}/close", a.page(formAction(f.closeAlert, toAlerts)))
	mux.Handle("GET /console/cases/{id}/agreement.pdf", a.page(c.agreementPDF))
	// Every action on a case goes through the case workflow, which
	// records it in the audit log with the change itself.
	mux.Handle("POST /console/cases/{id}/reply", a.page(f.replyForm))
	for _, rt := range []struct {
		path string
		op   func(*http.Request) error
		done func(http.ResponseWriter, *http.Request) error
	}{
		{"note", f.note, back}, {"take", f.take, back}, {"status", f.setStatus, back},
		{"decline", f.decline, toQueue}, {"transfer", f.transfer, toQueue}, {"assign", f.assign, back},
		{"video", f.video, back}, {"type", f.retype, back}, {"extend", f.extend, back},
		{"referrals/{ref}/retry", f.retryReferral, back}, {"messages/{item}/retry", f.retryMessage, back},
		{"agreement", f.draftAgreement, back},
	} {
		mux.Handle("POST /console/cases/{id}/"+rt.path, a.page(formAction(rt.op, rt.done)))
	}
	mux.Handle("POST /console/cases/{id}/parties", a.page(f.invite))
	mux.Handle("GET /console/cases/{id}/parties/{party}", a.page(p.partyPage))
	mux.Handle("GET /console/cases/{id}/parties/{party}/qr", a.page(c.partyQR))
	mux.Handle("POST /console/cases/{id}/parties/{party}/forward", a.page(formAction(f.forward, back)))
	mux.Handle("POST /console/cases/{id}/parties/{party}/withdraw", a.page(formAction(f.withdrawParty, back)))
	mux.Handle("GET /console/ws", a.page(c.hub.serveConsole))
	mux.Handle("GET /console/stats", a.page(adm.statsPage))
	mux.Handle("GET /console/stats.csv", a.page(adm.statsCSV))
	mux.Handle("GET /console/bodies", a.page(adm.bodiesPage))
	mux.Handle("POST /console/bodies/{body}/webhook", a.page(c.audited(store.AuditChange, "webhook set", adm.setWebhook)))
	mux.Handle("POST /console/bodies/{body}/webhook/remove", a.page(c.audited(store.AuditChange, "webhook removed", adm.removeWebhook)))
	mux.Handle("GET /console/audit", a.page(adm.auditPage))
	mux.Handle("GET /console/pia.md", a.page(adm.piaDownload))
	mux.Handle("GET /console/users", a.page(adm.usersPage))
	mux.Handle("POST /console/users", a.page(c.audited(store.AuditChange, "user add", adm.addUser)))
	mux.Handle("GET /console/users/{name}", a.page(adm.userPage))
	for _, what := range []string{"disable", "enable", "password", "display"} {
		mux.Handle("POST /console/users/{name}/"+what, a.page(c.audited(store.AuditChange, "user "+what, adm.changeUser(what))))
	}
	mux.Handle("POST /console/users/{name}/tokens", a.page(c.audited(store.AuditChange, "token create", adm.createToken)))
	mux.Handle("POST /console/users/{name}/tokens/revoke", a.page(c.audited(store.AuditChange, "token revoke", adm.revokeToken)))
	mux.Handle("GET /console/bodies/{body}/replies", a.page(adm.repliesPage))
	mux.Handle("POST /console/bodies/{body}/replies", a.page(c.audited(store.AuditChange, "quick replies", adm.saveReplies)))

	mux.HandleFunc("GET /c/{id}/{sig}", cp.casePageForCitizen)
	mux.HandleFunc("POST /c/{id}/{sig}", cp.citizenWrite)

	for _, rt := range (&apiSurface{c}).apiRoutes() {
		mux.Handle(rt.Pattern, a.api(rt.handle))
	}
	mux.HandleFunc("GET /api/v1/openapi.json", serveOpenAPI)
}

// APIRoute is one route of the JSON API; the OpenAPI document lists the
// same routes (a test holds them together).
type APIRoute struct {
	Pattern string // "METHOD /path"
	handle  func(http.ResponseWriter, *http.Request) error
}

func (c *apiSurface) apiRoutes() []APIRoute {
	return []APIRoute{
		{"GET /api/v1/cases", c.apiCases},
		{"GET /api/v1/cases/{id}", c.apiCase},
		{"POST /api/v1/cases/{id}/messages", c.apiMessage},
		{"POST /api/v1/cases/{id}/parties", c.apiInvite},
		{"DELETE /api/v1/cases/{id}/parties/{party}", c.apiWithdrawParty},
		{"GET /api/v1/cases/{id}/parties/{party}/qrcode", c.apiPartyQR},
		{"POST /api/v1/cases/{id}/status", c.apiStatus},
		{"POST /api/v1/cases/{id}/decline", c.apiDecline},
		{"POST /api/v1/cases/{id}/video", c.apiVideo},
		{"POST /api/v1/cases/{id}/transfer", c.apiTransfer},
		{"POST /api/v1/cases/{id}/agreement", c.apiDraftAgreement},
		{"GET /api/v1/cases/{id}/agreement", c.apiAgreement},
		{"GET /api/v1/cases/{id}/agreement.pdf", c.agreementPDF},
		{"POST /api/v1/cases/{id}/judicial_confirmation", c.apiAnswerCourt},
		{"GET /api/v1/bodies", c.apiBodies},
		{"GET /api/v1/alerts", c.apiAlerts},
		{"GET /api/v1/alerts/{id}", c.apiAlert},
		{"POST /api/v1/alerts/{id}/acknowledge", c.apiAcknowledgeAlert},
		{"POST /api/v1/alerts/{id}/close", c.apiCloseAlert},
		{"GET /api/v1/stream", c.hub.serveAPI},
	}
}

// APIPatterns lists the API's routes, for the OpenAPI test.
func (c *Web) APIPatterns() []string {
	var out []string
	for _, rt := range (&apiSurface{c}).apiRoutes() {
		out = append(out, rt.Pattern)
	}
	return out
}

// aiLabel is the label on text an AI model wrote (a case's summary).
func (c *Web) aiLabel() string {
	if c.AILabel != "" {
		return c.AILabel
	}
	return catalog.AILabel("", "")
}
