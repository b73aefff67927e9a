#!/bin/sh
# sms_sign_oracle.sh - signs random Aliyun and Tencent requests with
# src/sms_sign.c (through tests/sms_sign_dump) and verifies each with an
# independent implementation (tests/sms_sign_oracle.py); prints TAP.
#
# usage: sms_sign_oracle.sh [SMS_SIGN_DUMP [N]]
dump=${1:-${SMS_SIGN_DUMP:-./sms_sign_dump}}
exec /usr/bin/python3 "$(dirname "$0")/sms_sign_oracle.py" "$dump" ${2:-300}
