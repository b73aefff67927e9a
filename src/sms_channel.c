/* sms_channel.c - the sms settings read as a gateway or a provider. */
#include "sms_channel.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "util.h"

int
sms_channel_is_provider(const struct conf_channel *ch)
{
	return ch->transport == TRANSPORT_ALIYUN ||
	    ch->transport == TRANSPORT_TENCENT;
}

/* "Authorization: Basic base64(user:password)" (RFC 7617). */
static char *
basic_auth(const char *user, const char *password)
{
	char *pair = xasprintf("%s:%s", user != NULL ? user : "",
	    password != NULL ? password : "");
	size_t n = strlen(pair);
	char *b64 = xmalloc(4 * ((n + 2) / 3) + 1), *h;

	EVP_EncodeBlock((unsigned char *)b64, (unsigned char *)pair, (int)n);
	h = xasprintf("Authorization: Basic %s", b64);
	explicit_bzero(pair, n);
	explicit_bzero(b64, strlen(b64));
	free(pair);
	free(b64);
	return h;
}

/* Twilio's Messages API as a generic gateway: a form POST of To, From
 * and Body with the Account SID and auth token as Basic credentials,
 * 201 Created with the message's "sid" in the JSON answer. */
static void
twilio_preset(const struct conf_channel *ch, const char *password,
    struct sms_gw *gw, char ***owned)
{
	static const int created[] = { 200, 201, 0 };

	*owned = xcalloc(2, sizeof **owned);
	(*owned)[0] = basic_auth(ch->username, password);
	gw->kind = SMS_GW_HTTP;
	gw->url = ch->url != NULL ? ch->url : SMS_TWILIO_URL;
	gw->method = SMS_GW_POST_FORM;
	gw->body = ch->body != NULL ? ch->body :
	    "To={to}&From={from}&Body={text}";
	gw->headers = (const char *const *)*owned;
	gw->success_status = created;
	gw->success_match = ch->success_match != NULL ? ch->success_match :
	    "\"sid\"";
	gw->id_regex = ch->id_regex != NULL ? ch->id_regex :
	    "\"sid\": *\"([A-Za-z0-9]+)\"";
}

void
sms_channel_gateway(const struct conf_channel *ch, const char *password,
    struct sms_gw *gw, char ***owned)
{
	memset(gw, 0, sizeof *gw);
	*owned = NULL;
	gw->username = ch->username;
	gw->password = password;
	gw->from = ch->sender;
	if (ch->transport == TRANSPORT_TWILIO) {
		twilio_preset(ch, password, gw, owned);
		return;
	}
	gw->kind = ch->transport == TRANSPORT_KANNEL ? SMS_GW_KANNEL :
	    SMS_GW_HTTP;
	gw->url = ch->url;
	gw->method = ch->method == NULL || strcmp(ch->method, "GET") == 0 ?
	    SMS_GW_GET : strcmp(ch->method, "POST_FORM") == 0 ?
	    SMS_GW_POST_FORM : SMS_GW_POST_JSON;
	gw->body = ch->body;
	gw->headers = (const char *const *)ch->headers;
	gw->success_status = ch->success_status;
	gw->success_match = ch->success_match;
	gw->id_regex = ch->id_regex;
}

void
sms_channel_owned_free(char **owned)
{
	size_t i;

	for (i = 0; owned != NULL && owned[i] != NULL; i++) {
		explicit_bzero(owned[i], strlen(owned[i]));
		free(owned[i]);
	}
	free(owned);
}

void
sms_channel_provider(const struct conf_channel *ch, const char *secret,
    struct sms_provider *p)
{
	memset(p, 0, sizeof *p);
	p->kind = ch->transport == TRANSPORT_ALIYUN ? SMS_PROVIDER_ALIYUN :
	    SMS_PROVIDER_TENCENT;
	p->url = ch->url;
	p->key_id = p->kind == SMS_PROVIDER_ALIYUN ? ch->access_key_id :
	    ch->secret_id;
	p->secret = secret;
	p->sign_name = ch->sign_name;
	p->sdk_app_id = ch->sdk_app_id;
	p->region = ch->region;
	p->sig = ch->signature == 1 ? SMS_SIG_HMAC_SHA1 : SMS_SIG_ACS3;
}

int
sms_channel_limits(const struct conf_channel *ch,
    struct tmpl_provider_limits *lim)
{
	if (!sms_channel_is_provider(ch))
		return -1;
	memset(lim, 0, sizeof *lim);
	if (ch->transport == TRANSPORT_ALIYUN) {
		lim->provider = "aliyun";
		lim->max_chars = SMS_ALIYUN_PARAM_MAX;
	} else {
		lim->provider = "tencent";
		lim->max_chars = SMS_TENCENT_PARAM_MAX;
		lim->numbered = 1;
	}
	if (ch->param_max_chars > 0)
		lim->max_chars = ch->param_max_chars;
	return 0;
}
