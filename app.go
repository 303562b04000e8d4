package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"jiefen/caselink"
	"jiefen/referral"
	"jiefen/retention"
	"jiefen/workflow"

	"jiefen/bot"
	"jiefen/catalog"
	"jiefen/handlers"
	"jiefen/metrics"
	"jiefen/routing"
	"jiefen/store"
	redisstore "jiefen/store/redis"
	"jiefen/store/sqlite"
)

// app is jiefen wired together: the same for serve, demo and the tests.
type app struct {
	cfg       Config
	log       *slog.Logger
	store     store.Store
	table     *routing.Table
	account   *bot.Account
	bot       *bot.Bot
	messenger *bot.Messenger
	server    *handlers.Server
	referrals *referral.Sender
	retention *retention.Worker
	deadlines *workflow.Watcher
}

func newApp(cfg Config, log *slog.Logger, now func() time.Time) (*app, error) {
	table, err := loadTable(cfg.RoutesFile)
	if err != nil {
		return nil, err
	}
	classifier, err := newClassifier(cfg, log, table.City())
	if err != nil {
		return nil, err
	}
	st, tokens, err := openStore(cfg)
	if err != nil {
		return nil, err
	}
	// Case-page links are signed with a key derived from the AppSecret,
	// which every instance of the account shares.
	links := caselink.New(cfg.Secret)
	account := bot.NewAccount(bot.AccountConfig{AppID: cfg.AppID, Secret: cfg.Secret, Token: cfg.Token,
		AESKey: cfg.AESKey, API: cfg.WeChatAPI, Timeout: cfg.APITimeout, Cache: tokens})
	m := &bot.Messenger{Store: st, API: account, TemplateID: cfg.TemplateID, Subscribe: cfg.SubscribeTemplates, Now: now, Log: log,
		// A claimed batch is sent concurrently; one item takes at worst a
		// token fetch, a send, a refresh and resend, then a template with
		// its own token retry: six API timeouts. Past that the lease ends
		// and another instance may send the item, which is only right if
		// its holder is gone.
		Lease: 6 * cfg.APITimeout}
	if cfg.PublicURL != "" {
		// A party's own page: the same signed link, for its id.
		m.CaseLink = func(id string) string { return links.URL(cfg.PublicURL, id) }
	}
	// One resolver of bodies' webhooks for queueing and sending alike.
	hooks := &referral.Hooks{Store: st, Table: table}
	var tableHooks []string
	for _, b := range table.Bodies() {
		if b.Webhook != nil {
			tableHooks = append(tableHooks, b.Webhook.URL)
		}
	}
	sender := &referral.Sender{Store: st, Hooks: hooks, Now: now, Log: log, Allow: cfg.WebhookAllow, Exact: referral.TableEndpoints(tableHooks)}
	// The case workflow: every surface (chat, console, API, case page)
	// changes cases through it.
	cases := &workflow.Cases{Store: st, Table: table, Hooks: hooks, Now: now, VideoURL: cfg.VideoURL, PublicURL: cfg.PublicURL,
		Kick: m.Kick, KickReferrals: sender.Kick, Log: log, QR: account}
	aiLabel := catalog.AILabel(cfg.AIModelName, cfg.AIFiling)
	b := &bot.Bot{Store: st, Classifier: classifier, Table: table, Cases: cases, Now: now, Kick: m.Kick,
		KickReferrals: sender.Kick, Links: links, PublicURL: cfg.PublicURL, Log: log, AILabel: aiLabel, Subscribe: cfg.SubscribeTemplates}
	srv := &handlers.Server{
		Account: account, Callback: &bot.Callback{Account: account, Bot: b, Log: log},
		Store: st, Metrics: metrics.New(), Log: log, Now: now,
		Web: &handlers.Web{Store: st, Table: table, Log: log, Now: now, Cases: cases,
			TemplateLinks: cfg.TemplateID != "" && cfg.PublicURL != "", Links: links, KickReferrals: sender.Kick, Hooks: hooks,
			TrustedProxies: cfg.TrustedProxies, AILabel: aiLabel,
			PIA: func(ctx context.Context, w io.Writer) error {
				all, err := hooks.All(ctx)
				if err != nil {
					return err
				}
				writePIA(w, cfg, table, all)
				return nil
			}},
	}
	for _, t := range cfg.SubscribeTemplates {
		srv.Web.SubscribeTemplates = append(srv.Web.SubscribeTemplates, t.ID)
	}
	if len(cfg.SubscribeTemplates) > 0 {
		srv.Web.JSSDK = account
	}
	period := cfg.Retention
	if period <= 0 {
		period = retention.DefaultPeriod
	}
	ret := &retention.Worker{Store: st, Period: period, Now: now, Log: log}
	deadlines := &workflow.Watcher{Store: st, Table: table, Now: now, Log: log, Kick: m.Kick, FollowUpAfter: cfg.FollowUpAfter}
	return &app{cfg: cfg, log: log, store: st, table: table, account: account, bot: b, messenger: m, server: srv,
		referrals: sender, retention: ret, deadlines: deadlines}, nil
}

// newClassifier is the LLM classifier when JIEFEN_OPENAI_URL is set (the
// local one stands in whenever it is slow or broken), else the local one;
// both find the regions of city, the routing table's.
func newClassifier(cfg Config, log *slog.Logger, city routing.City) (routing.Classifier, error) {
	local := routing.NewLocal(city)
	if cfg.OpenAIURL == "" {
		return local, nil
	}
	llm, err := routing.NewLLM(routing.LLMConfig{URL: cfg.OpenAIURL, Key: cfg.OpenAIKey, Model: cfg.OpenAIModel,
		City: city, Logger: log}, local)
	if err != nil {
		return nil, fmt.Errorf("JIEFEN_OPENAI_URL: %w", err)
	}
	return llm, nil
}

// openStore opens Redis when JIEFEN_REDIS_URL is set (instances may then
// run side by side, sharing the access token too), else the embedded store.
func openStore(cfg Config) (store.Store, bot.TokenCache, error) {
	if cfg.RedisURL == "" {
		st, err := sqlite.Open(cfg.DataDir)
		return st, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := redisstore.Open(ctx, cfg.RedisURL)
	if err != nil {
		return nil, nil, err
	}
	return st, st.TokenCache(), nil
}

func loadTable(path string) (*routing.Table, error) {
	if path == "" {
		return routing.Builtin(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("JIEFEN_ROUTES: %w", err)
	}
	t, err := routing.LoadTable(data)
	if err != nil {
		return nil, fmt.Errorf("JIEFEN_ROUTES %s: %w", path, err)
	}
	return t, nil
}

// serve runs the HTTP server and the workers until ctx ends, then shuts
// down in order: stop taking requests and let in-flight callbacks finish
// (the platform waits 5 seconds at most), stop the workers, close the store.
func (a *app) serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           a.server.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		IdleTimeout:       90 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { a.referrals.Run(workCtx) })
	wg.Go(func() { a.deadlines.Run(workCtx) })
	wg.Go(func() { a.messenger.Run(workCtx) })
	wg.Go(func() { a.purge(workCtx) })
	wg.Go(func() { a.retention.Run(workCtx) })
	wg.Go(func() { a.server.Web.Listen(workCtx) })

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		a.log.Info("shutting down")
		// Long-lived requests (the demo's event stream) end when shutdown
		// begins, so they do not hold it up; callbacks finish.
		hs.RegisterOnShutdown(a.server.Closing)
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = hs.Shutdown(sctx)
		cancel()
		if err != nil {
			a.log.Warn("requests still running after 10s; closing them", "err", err)
			_ = hs.Close()
		}
	}
	stopWork()
	wg.Wait()
	if cerr := a.close(); err == nil {
		err = cerr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// close ends what outlives requests, in order: the LLM's late answers
// write to the store, so they are stopped (and awaited) before it closes.
func (a *app) close() error {
	if c, ok := a.bot.Classifier.(io.Closer); ok {
		if err := c.Close(); err != nil {
			a.log.Warn("closing the classifier", "err", err)
		}
	}
	return a.store.Close()
}

// purge drops expired dedup keys once an hour.
func (a *app) purge(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := a.store.Purge(ctx, a.bot.Now()); err != nil {
				a.log.Warn("purge", "err", err)
			}
		}
	}
}
