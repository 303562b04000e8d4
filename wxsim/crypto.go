// Package wxsim is a stand-in for the WeChat official-account platform.
//
// Platform answers the outbound API (api.weixin.qq.com) with the real JSON
// protocol and error codes; Client pushes callbacks to a bot the way the
// platform does (signatures, AES modes, 5 s timeout, three attempts). Tests
// and the demo use both halves because the real servers cannot be reached.
package wxsim

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// The message crypto is written here from the spec rather than borrowed from
// silenceper's util, so the stand-in checks the bot's library against an
// independent implementation instead of against itself.

// blockSize is the PKCS#7 block WeChat pads to; it is 32, not AES's 16.
const blockSize = 32

// Sign is WeChat's signature: sha1 over the sorted, concatenated parts, as
// lowercase hex. The URL signature signs (token, timestamp, nonce); the
// message signature adds the Encrypt text.
func Sign(parts ...string) string {
	s := append([]string(nil), parts...)
	sort.Strings(s)
	h := sha1.New()
	for _, p := range s {
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// aesKey turns the 43-character EncodingAESKey into the 32-byte AES key.
func aesKey(encodingAESKey string) ([]byte, error) {
	if len(encodingAESKey) != 43 {
		return nil, fmt.Errorf("wxsim: EncodingAESKey must be 43 characters, got %d", len(encodingAESKey))
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil {
		return nil, fmt.Errorf("wxsim: EncodingAESKey is not base64: %w", err)
	}
	if len(key) != 32 {
		return nil, errors.New("wxsim: EncodingAESKey does not decode to 32 bytes")
	}
	return key, nil
}

// Encrypt produces the base64 Encrypt text for msg: AES-256-CBC with
// IV = key[:16] over random(16) | len(msg) (4 bytes, big endian) | msg | appID,
// PKCS#7-padded to 32 bytes. random must be 16 bytes; nil draws a fresh one,
// which is what the platform does for every push.
func Encrypt(encodingAESKey, appID string, random, msg []byte) (string, error) {
	key, err := aesKey(encodingAESKey)
	if err != nil {
		return "", err
	}
	if random == nil {
		random = make([]byte, 16)
		if _, err := rand.Read(random); err != nil {
			return "", err
		}
	}
	if len(random) != 16 {
		return "", fmt.Errorf("wxsim: random prefix must be 16 bytes, got %d", len(random))
	}
	var buf bytes.Buffer
	buf.Write(random)
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(msg)))
	buf.Write(n[:])
	buf.Write(msg)
	buf.WriteString(appID)
	pad := blockSize - buf.Len()%blockSize
	buf.Write(bytes.Repeat([]byte{byte(pad)}, pad))

	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	plain := buf.Bytes()
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(out, plain)
	return base64.StdEncoding.EncodeToString(out), nil
}

// Decrypt reverses Encrypt and returns the message, the app id found after it
// and the random prefix. It checks the padding and the length field strictly,
// because a sloppy decrypter would hide a bot that encrypts wrongly.
func Decrypt(encodingAESKey, encrypted string) (msg []byte, appID string, random []byte, err error) {
	key, err := aesKey(encodingAESKey)
	if err != nil {
		return nil, "", nil, err
	}
	ct, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encrypted))
	if err != nil {
		return nil, "", nil, fmt.Errorf("wxsim: Encrypt is not base64: %w", err)
	}
	if len(ct) == 0 || len(ct)%blockSize != 0 {
		return nil, "", nil, fmt.Errorf("wxsim: ciphertext length %d is not a multiple of %d", len(ct), blockSize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, "", nil, err
	}
	plain := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(plain, ct)

	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > blockSize || pad > len(plain) {
		return nil, "", nil, fmt.Errorf("wxsim: bad padding %d", pad)
	}
	for _, b := range plain[len(plain)-pad:] {
		if int(b) != pad {
			return nil, "", nil, errors.New("wxsim: bad padding bytes")
		}
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, "", nil, errors.New("wxsim: plaintext too short")
	}
	n := binary.BigEndian.Uint32(plain[16:20])
	if uint64(n) > uint64(len(plain)-20) {
		return nil, "", nil, fmt.Errorf("wxsim: message length %d exceeds plaintext", n)
	}
	end := 20 + int(n)
	return plain[20:end], string(plain[end:]), plain[:16], nil
}
