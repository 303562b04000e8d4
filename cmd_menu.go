package main

import (
	"fmt"
	"io"

	"jiefen/bot"
)

// runMenu sets the custom menu whose CLICK keys the bot answers.
func runMenu(getenv func(string) string, stdout io.Writer) error {
	cfg, err := loadConfig(getenv, "JIEFEN_WECHAT_APPID", "JIEFEN_WECHAT_SECRET")
	if err != nil {
		return err
	}
	a := bot.NewAccount(bot.AccountConfig{AppID: cfg.AppID, Secret: cfg.Secret, API: cfg.WeChatAPI, Timeout: cfg.APITimeout})
	if err := a.SetMenu(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "menu set: 我要求助 · 查询进度 · 使用帮助")
	return nil
}
