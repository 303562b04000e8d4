package handlers

import (
	"embed"
	"html/template"
	"jiefen/caselink"
	"jiefen/referral"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"jiefen/routing"
	"jiefen/store"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Console is the mediators' web console and its JSON API.
type Console struct {
	Store store.Store
	Table *routing.Table
	Log   *slog.Logger
	Now   func() time.Time
	Kick  func() // wakes the outbound messenger after a reply is queued
	// TemplateLinks is set when messages outside the window go as template
	// messages linking to the case page (a template id and a public URL).
	TemplateLinks bool
	Links         caselink.Signer
	PublicURL     string          // for the console links in referrals ("" makes them relative)
	KickReferrals func()          // wakes the webhook sender
	Hooks         *referral.Hooks // a body's webhook: the console's setting or the table's
	VideoURL      string          // room address pattern, "{case}" replaced by the case number; "" = mediators give the link

	once  sync.Once
	tpl   *template.Template
	hub   *hub
	views viewLog // recent recorded views, so live refreshes are not recorded again
}

// init parses the templates (a mistake in one fails at start, not on a
// page view) and makes the hub; Handler and Listen may come in any order.
func (c *Console) init() {
	c.once.Do(func() {
		c.tpl = template.Must(template.New("").Funcs(templateFuncs).ParseFS(templateFiles, "templates/*.html"))
		c.hub = newHub(c)
	})
}

// routes registers the console's pages, actions, stream and API.
func (c *Console) routes(mux *http.ServeMux) {
	c.init()
	mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(mustSub(staticFiles, "static"))))
	mux.HandleFunc("GET /console/login", c.loginPage)
	mux.HandleFunc("POST /console/login", c.login)
	mux.Handle("POST /console/logout", c.page(c.audited(store.AuditLogout, "", c.logout)))
	mux.Handle("GET /console/{$}", c.page(c.queuePage))
	mux.Handle("GET /console/cases/{id}", c.page(c.casePage))
	mux.Handle("GET /console/cases/{id}/thread", c.page(c.threadFragment))
	mux.Handle("GET /console/cases/{id}/row", c.page(c.rowFragment))
	// Every action on a case is audited (audit.go): the route names it,
	// the action may say more.
	mux.Handle("POST /console/cases/{id}/reply", c.page(c.audited(store.AuditSend, "reply", c.reply)))
	mux.Handle("POST /console/cases/{id}/note", c.page(c.audited(store.AuditChange, "note", c.note)))
	mux.Handle("POST /console/cases/{id}/take", c.page(c.audited(store.AuditChange, "take", c.take)))
	mux.Handle("POST /console/cases/{id}/status", c.page(c.audited(store.AuditChange, "status", c.setStatus)))
	mux.Handle("POST /console/cases/{id}/decline", c.page(c.audited(store.AuditChange, "decline", c.declineForm)))
	mux.Handle("POST /console/cases/{id}/transfer", c.page(c.audited(store.AuditChange, "transfer", c.transferForm)))
	mux.Handle("POST /console/cases/{id}/assign", c.page(c.audited(store.AuditChange, "assign", c.assignForm)))
	mux.Handle("POST /console/cases/{id}/video", c.page(c.audited(store.AuditChange, "video", c.videoForm)))
	mux.Handle("POST /console/cases/{id}/type", c.page(c.audited(store.AuditChange, "type", c.retype)))
	mux.Handle("POST /console/cases/{id}/extend", c.page(c.audited(store.AuditChange, "extend", c.extend)))
	mux.Handle("GET /console/overdue", c.page(c.overduePage))
	mux.Handle("POST /console/cases/{id}/referrals/{ref}/retry", c.page(c.audited(store.AuditChange, "referral retry", c.retryReferral)))
	mux.Handle("GET /console/ws", c.page(c.hub.serveConsole))
	mux.Handle("GET /console/stats", c.page(c.statsPage))
	mux.Handle("GET /console/stats.csv", c.page(c.statsCSV))
	mux.Handle("GET /console/bodies", c.page(c.bodiesPage))
	mux.Handle("POST /console/bodies/{body}/webhook", c.page(c.audited(store.AuditChange, "webhook set", c.setWebhook)))
	mux.Handle("POST /console/bodies/{body}/webhook/remove", c.page(c.audited(store.AuditChange, "webhook removed", c.removeWebhook)))
	mux.Handle("GET /console/audit", c.page(c.auditPage))

	mux.HandleFunc("GET /c/{id}/{sig}", c.casePageForCitizen)
	mux.HandleFunc("POST /c/{id}/{sig}", c.citizenWrite)

	for _, rt := range c.apiRoutes() {
		mux.Handle(rt.Pattern, c.api(rt.handle))
	}
	mux.HandleFunc("GET /api/v1/openapi.json", serveOpenAPI)
}

// APIRoute is one route of the JSON API; the OpenAPI document lists the
// same routes (a test holds them together).
type APIRoute struct {
	Pattern string // "METHOD /path"
	handle  func(http.ResponseWriter, *http.Request) error
}

func (c *Console) apiRoutes() []APIRoute {
	return []APIRoute{
		{"GET /api/v1/cases", c.apiCases},
		{"GET /api/v1/cases/{id}", c.apiCase},
		{"POST /api/v1/cases/{id}/messages", c.audited(store.AuditSend, "api message", c.apiMessage)},
		{"POST /api/v1/cases/{id}/status", c.audited(store.AuditChange, "api status", c.apiStatus)},
		{"POST /api/v1/cases/{id}/decline", c.audited(store.AuditChange, "api decline", c.apiDecline)},
		{"POST /api/v1/cases/{id}/video", c.audited(store.AuditChange, "api video", c.apiVideo)},
		{"POST /api/v1/cases/{id}/transfer", c.audited(store.AuditChange, "api transfer", c.apiTransfer)},
		{"GET /api/v1/bodies", c.apiBodies},
		{"GET /api/v1/stream", c.hub.serveAPI},
	}
}

// APIPatterns lists the API's routes, for the OpenAPI test.
func (c *Console) APIPatterns() []string {
	var out []string
	for _, rt := range c.apiRoutes() {
		out = append(out, rt.Pattern)
	}
	return out
}
