/* sms_channel.h - from the sms group of the configuration to what sends:
 * a gateway (sms_gw.h: Kannel, a generic HTTP API, or the Twilio preset
 * of the generic one) or a provider of approved templates
 * (sms_provider.h: Aliyun, Tencent), and the limits that provider puts
 * on template variables.  conf_delivery.c checks with these and
 * deliver.c sends with them, so both read the settings alike. */
#ifndef OUTREACHD_SMS_CHANNEL_H
#define OUTREACHD_SMS_CHANNEL_H

#include "conf.h"
#include "sms_gw.h"
#include "sms_provider.h"
#include "tmpl_provider.h"

/* Twilio's Messages API; {username} is the Account SID. */
#define SMS_TWILIO_URL "https://api.twilio.com/2010-04-01/Accounts/" \
	"{username}/Messages.json"

/* Aliyun's and Tencent's documented defaults for one variable's value
 * (characters); sms.param_max_chars overrides them. */
#define SMS_ALIYUN_PARAM_MAX 35
#define SMS_TENCENT_PARAM_MAX 6

/* 1 when ch's transport sends approved templates (aliyun, tencent). */
int sms_channel_is_provider(const struct conf_channel *ch);
/* Fills gw for a gateway transport (kannel, http, twilio) with password
 * (may be NULL), borrowing from ch; *owned (free it with the gateway)
 * holds what the preset had to make (Twilio's Authorization header). */
void sms_channel_gateway(const struct conf_channel *ch, const char *password,
    struct sms_gw *gw, char ***owned);
void sms_channel_owned_free(char **owned);
/* Fills p for a provider transport, borrowing from ch and secret. */
void sms_channel_provider(const struct conf_channel *ch, const char *secret,
    struct sms_provider *p);
/* The limits of ch's provider; 0, or -1 when it is none. */
int sms_channel_limits(const struct conf_channel *ch,
    struct tmpl_provider_limits *lim);

#endif
