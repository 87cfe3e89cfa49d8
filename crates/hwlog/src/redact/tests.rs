use super::*;

/// `input ==> expected` per line; `expected` of `=` means "unchanged".
const CASES: &str = r#"
password=hunter2 user=bob ==> password=[REDACTED] user=bob
Password: hunter2 ==> Password: [REDACTED]
PASSWORD = hunter2 ==> PASSWORD = [REDACTED]
{"password":"hunter2","user":"x"} ==> {"password":"[REDACTED]","user":"x"}
{"password": "hunter2"} ==> {"password": "[REDACTED]"}
{'password': 'hunter2'} ==> {'password': '[REDACTED]'}
password="quoted value with spaces" next=1 ==> password="[REDACTED]" next=1
GET /x?token=abc123&x=1 ==> GET /x?token=[REDACTED]&x=1
X-Auth-Token: abc123 ==> X-Auth-Token: [REDACTED]
a=1, secret=s3, b=2; key=k9; ==> a=1, secret=[REDACTED], b=2; key=[REDACTED];
db_password=x1 ipmi_pass=x2 clientSecret=x3 ==> db_password=[REDACTED] ipmi_pass=[REDACTED] clientSecret=[REDACTED]
"password":"a\"b" end ==> "password":"[REDACTED]" end
{\"password\":\"hunter2\"} ==> {\"password\":\"[REDACTED]\"}
{"bmc":{"user":"root","password":"calvin"}} ==> {"bmc":{"user":"root","password":"[REDACTED]"}}
Config{user=root, password=abc} ==> Config{user=root, password=[REDACTED]}
{"user"=>"ops", "password"=>"x"} ==> {"user"=>"ops", "password"=>"[REDACTED]"}
<Password>calvin</Password> ==> <Password>[REDACTED]</Password>
https://user:pass@host/p ==> https://user:[REDACTED]@host/p
postgres://hwlog:s3cr3t@db:5432/x ==> postgres://hwlog:[REDACTED]@db:5432/x
mysql://root:pw@db/x ==> mysql://root:[REDACTED]@db/x
redis://:pw@host:6379 ==> redis://:[REDACTED]@host:6379
postgres://u:p@ss@db/x ==> postgres://u:[REDACTED]@db/x
Authorization: Bearer xyz ==> Authorization: Bearer [REDACTED]
Authorization: Basic YWRtaW46 ==> Authorization: Basic [REDACTED]
authorization=Bearer xyz ==> authorization=Bearer [REDACTED]
{"Authorization": "Bearer xyz"} ==> {"Authorization": "Bearer [REDACTED]"}
using Bearer abc123def456 now ==> using Bearer [REDACTED] now
Authorization: OAuth oauth_token="t1", oauth_signature="&s1", oauth_nonce="9" ==> Authorization: OAuth oauth_token="[REDACTED]", oauth_signature="[REDACTED]", oauth_nonce="9"
Cookie: sid=abc; theme=dark ==> Cookie: [REDACTED]
ipmitool -I lanplus -H 10.0.0.5 -U admin -P hunter2 chassis status ==> ipmitool -I lanplus -H 10.0.0.5 -U admin -P [REDACTED] chassis status
ipmitool -H h -U u -Phunter2 power on ==> ipmitool -H h -U u -P[REDACTED] power on
ipmitool user set password 2 S3cret ==> ipmitool user set password 2 [REDACTED]
['ipmitool', '-P', 'pw1', 'power'] ==> ['ipmitool', '-P', '[REDACTED]', 'power']
racadm -r 10.0.0.7 -u root -p calvin getsysinfo ==> racadm -r 10.0.0.7 -u root -p [REDACTED] getsysinfo
racadm set iDRAC.Users.2.Password n3w ==> racadm set iDRAC.Users.2.Password [REDACTED]
tool -u admin -p pw9 ==> tool -u admin -p [REDACTED]
curl -u admin -P pw1 ==> curl -u admin -P [REDACTED]
sshpass -p pw ssh root@h ==> sshpass -p [REDACTED] ssh root@h
mysql -uroot -pSECRET db ==> mysql -uroot -p[REDACTED] db
curl -u user:pass https://x ==> curl -u user:[REDACTED] https://x
--password x --passwd y --pass z --token t --secret s --api-key k ==> --password [REDACTED] --passwd [REDACTED] --pass [REDACTED] --token [REDACTED] --secret [REDACTED] --api-key [REDACTED]
--password=x --client-secret "a b" ==> --password=[REDACTED] --client-secret "[REDACTED]"
IPMI_PASSWORD=x ipmitool -E ==> IPMI_PASSWORD=[REDACTED] ipmitool -E
export DB_PASSWORD=x ==> export DB_PASSWORD=[REDACTED]
maas login admin http://m:5240/MAAS/ ck:tk:sec ==> maas login admin http://m:5240/MAAS/ [REDACTED]
apikey=ck:tk:sec ==> apikey=[REDACTED]
CREATE USER 'u'@'%' IDENTIFIED BY 's3'; ==> CREATE USER 'u'@'%' IDENTIFIED BY '[REDACTED]';
ALTER USER u WITH PASSWORD 'pw'; ==> ALTER USER u WITH PASSWORD '[REDACTED]';
key= ==> =
password=" ==> =
password="abc ==> password="[REDACTED]
password=[REDACTED] ==> =
"Password": null ==> =
(using password: YES) ==> =
authentication succeeded ==> =
token bucket refilled ==> =
password policy updated ==> =
3 keys rotated ==> =
session started for user alice ==> =
keyboard monkey keys found: 3, compass tokenizer passed ==> =
CPU-P0 at 45C, --passive, PWD=/root, OLDPWD=/tmp ==> =
Bearer tokens expire; WWW-Authenticate: Basic realm="x" ==> =
ssh -p 2222 root@h; psql -U u -p 5432; docker run -p 8080:80 -u 1000:1000 img ==> =
mysql -h db -P 3306 -u root ==> =
xargs -P 4 cmd; iperf3 -c h -P 8; mkdir -p /x ==> =
session_id=1 token_count=2 key_id=3 password_file=/x public_key=ssh-ed25519 ==> =
https://host:8443/x https://user@host/y ==> =
hwlog::redact::x token::Kind if token == other ==> =
"#;

#[test]
fn forms() {
    let r = Redactor::new();
    for case in CASES.lines().filter(|l| !l.is_empty()) {
        let (input, expected) = case.split_once(" ==> ").expect("case separator");
        let expected = if expected == "=" { input } else { expected };
        assert_eq!(r.redact(input), expected, "input: {input}");
    }
}

#[test]
fn borrowed_when_unchanged() {
    let r = Redactor::new();
    for s in [
        "",
        "plain line",
        "password policy updated",
        "password=[REDACTED]",
    ] {
        assert!(matches!(r.redact(s), Cow::Borrowed(_)), "{s}");
    }
    assert!(matches!(r.redact("password=x"), Cow::Owned(_)));
}

#[test]
fn sensitive_keys() {
    let r = Redactor::new();
    for k in [
        "password",
        "PASSWORD",
        "db_password",
        "X-Auth-Token",
        "ipmi_pass",
        "api-key",
        "apiKey",
        "secret_key",
        "client_secret",
        "Set-Cookie",
        "oauth_signature",
        "credentials",
        "pgpassword",
        "password_hash",
        "secret_id",
        "AWS_SECRET_ACCESS_KEY",
        "sshpass",
        "snmp_community",
    ] {
        assert!(r.is_sensitive_key(k), "{k} should be sensitive");
    }
    for k in [
        "",
        "keyboard",
        "monkey",
        "tokenizer",
        "passed",
        "compass",
        "token_count",
        "session_id",
        "password_file",
        "public_key",
        "key_id",
        "max_tokens",
        "ask_pass",
        "oauth_nonce",
        "author",
        "secretName",
        "passthrough",
        "authentication",
        "InvalidCredentialsError",
    ] {
        assert!(!r.is_sensitive_key(k), "{k} should not be sensitive");
    }
}

#[test]
fn extra_keys_and_multiline() {
    let r = Redactor::with_extra_keys(["pin"]);
    assert!(r.is_sensitive_key("bmc_pin") && !Redactor::new().is_sensitive_key("bmc_pin"));
    let text = "pin=1234\nracadm -u root -p calvin\nssh -p 22 h\nuser=x";
    let want = "pin=[REDACTED]\nracadm -u root -p [REDACTED]\nssh -p 22 h\nuser=x";
    assert_eq!(r.redact(text), want);
}
