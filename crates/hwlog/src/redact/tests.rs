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
a=1, secret=s3, b=2; key=k9; ==> a=1, secret=[REDACTED], b=2; key=k9;
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
Cookie: sid=abc; theme=dark ==> Cookie: sid=[REDACTED]; theme=dark
ipmitool -I lanplus -H 10.0.0.5 -U admin -P hunter2 chassis status ==> ipmitool -I lanplus -H 10.0.0.5 -U admin -P [REDACTED] chassis status
ipmitool -H h -U u -Phunter2 power on ==> ipmitool -H h -U u -P[REDACTED] power on
ipmitool user set password 2 S3cret ==> ipmitool user set password 2 [REDACTED]
['ipmitool', '-P', 'pw1', 'power'] ==> ['ipmitool', '-P', '[REDACTED]', 'power']
racadm -r 10.0.0.7 -u root -p calvin getsysinfo ==> racadm -r 10.0.0.7 -u root -p [REDACTED] getsysinfo
racadm set iDRAC.Users.2.Password n3w ==> racadm set iDRAC.Users.2.Password [REDACTED]
tool -u admin -p pw9 ==> tool -u admin -p [REDACTED]
curl -u admin -P 2121 ==> =
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

/// Infrastructure syntaxes, one line per rule family (invented values).
const INFRA_CASES: &str = r#"
sw1(config)#enable secret 5 $1$abcd$Qm9vZ2xlR29vZ2xl ==> sw1(config)#enable secret 5 [REDACTED]
username ops privilege 15 secret 0 Tr1cky!pw ==> username ops privilege 15 secret 0 [REDACTED]
snmp-server community Wq8x7z RO ==> snmp-server community [REDACTED] RO
tacacs-server host 10.9.9.9 key 7 1234ABCD5678 ==> tacacs-server host 10.9.9.9 key 7 [REDACTED]
set system radius-server 10.1.1.1 secret "Jx9$pw" ==> set system radius-server 10.1.1.1 secret "[REDACTED]"
enable secret updated on sw1 ==> =
machine git.example.org login ci password Hx7pw22 ==> machine git.example.org login ci password [REDACTED]
slapd.conf: rootpw  Zq1pwd ==> slapd.conf: rootpw  [REDACTED]
requirepass R3dis-pw ==> requirepass [REDACTED]
db01:5432:app:svc:Pg9pw-x ==> db01:5432:app:svc:[REDACTED]
*:*:*:svc:* ==> =
echo 'svc:Nw7pw' | chpasswd ==> echo 'svc:[REDACTED]' | chpasswd
(echo Aa1pw; echo Aa1pw) | smbpasswd -s -a svc ==> (echo [REDACTED]; echo [REDACTED]) | smbpasswd -s -a svc
echo hello; cat notes | less ==> =
htpasswd -bc /etc/h.pw svc Hp4pw ==> htpasswd -bc /etc/h.pw svc [REDACTED]
htpasswd -nb svc Hp4pw ==> htpasswd -nb svc [REDACTED]
smbclient //fs/share -U svc%Sm8pw ==> smbclient //fs/share -U svc%[REDACTED]
lftp -u svc,Lf7pw sftp://h ==> lftp -u svc,[REDACTED] sftp://h
plink -ssh -P 22 -pw Pl9pw svc@h ==> plink -ssh -P 22 -pw [REDACTED] svc@h
keytool -list -keystore k.jks -storepass Ks5pw ==> keytool -list -keystore k.jks -storepass [REDACTED]
openssl rsa -in k.pem -passin pass:Os3pw ==> openssl rsa -in k.pem -passin pass:[REDACTED]
openssl rsa -in k.pem -passin env:KEY_PW ==> =
7z x -pZz9pw a.7z ==> 7z x -p[REDACTED] a.7z
scp -P 2222 f h:/x; grep -P '\d+' f; wget -P /tmp u; rsync -P a b ==> =
mysql -u root -p appdb ==> =
xfreerdp /u:svc /p:Rd5pw /v:h ==> xfreerdp /u:svc /p:[REDACTED] /v:h
token ghp_0123456789abcdefghijklmnopqrstuvwxyzAB ok ==> token [REDACTED] ok
key AKIAABCDEFGHIJKLMNOP used ==> key [REDACTED] used
hook https://hooks.slack.com/services/T000/B000/9f3kQ2xLm8Zp ==> hook [REDACTED]
x=-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY----- ==> x=[REDACTED]
-----BEGIN CERTIFICATE-----\nMIIBabc\n-----END CERTIFICATE----- ==> =
svc:$6$saltsalt$aaaaaaaaaaaaaaaaaaaaaaaa:19000:0 ==> svc:[REDACTED]:19000:0
Authorization: CustomScheme abc123def ==> Authorization: CustomScheme [REDACTED]
header: Authorization: Bearer ==> =
Authorization: Digest username="u", nonce="n1", response="9f8e7d" ==> Authorization: Digest username="u", nonce="n1", response="[REDACTED]"
{"name": "API_TOKEN", "value": "Tk4val"} ==> {"name": "API_TOKEN", "value": "[REDACTED]"}
<property name="db.password" value="Db2val"/> ==> <property name="db.password" value="[REDACTED]"/>
<entry key="mail.password">Ml3val</entry> ==> <entry key="mail.password">[REDACTED]</entry>
<add key="Region" value="eu-west" /> ==> =
session created with auth=('svc', 'Au7val') ==> session created with auth=('svc', '[REDACTED]')
HTTPBasicAuth('svc', 'Ba6val') ==> HTTPBasicAuth('svc', '[REDACTED]')
password=b'By5val' ==> password=b'[REDACTED]'
passwort=Pw1val kennwort=Pw2val contraseña=Pw3val hasło=Pw4val ==> passwort=[REDACTED] kennwort=[REDACTED] contraseña=[REDACTED] hasło=[REDACTED]
PIN: 4242 pw=Pw5 pwd=Pw6 ==> PIN: [REDACTED] pw=[REDACTED] pwd=[REDACTED]
pin_memory=True gpio_pin=4 ==> =
GET /cb?code=Ab12Cd34Ef56&state=xyz ==> GET /cb?code=[REDACTED]&state=xyz
password: ${DB_PW} token: <hidden> secret: [MASKED] pwd=****** auth: ok ==> =
password = env("PW") token = os.environ['TOKEN'] ==> =
New password: Retype new password: ==> =
PASS: 12 tests password_days=90 ==> =
pam_unix(passwd:chauthtok): password changed ==> =
Set-Cookie: lang=en; Path=/; HttpOnly ==> =
vault login hvs.CAESIabcdefghijklmnopqrstuv ==> vault login [REDACTED]
vault login -method=oidc role=ops ==> =
net user svc Nu8pw /add ==> net user svc [REDACTED] /add
ipmitool -I lanplus -H h -U u -P Ip1pw power status ==> ipmitool -I lanplus -H h -U u -P [REDACTED] power status
SMCIPMITool 10.0.0.9 ADMIN Sm2pw ipmi power status ==> SMCIPMITool 10.0.0.9 ADMIN [REDACTED] ipmi power status
C: a1 LOGIN svc Im4pw ==> C: a1 LOGIN svc [REDACTED]
FAILED LOGIN 1 FROM tty1 FOR root ==> =
AUTH PLAIN AHN2YwBwdzEyMw== ==> AUTH PLAIN [REDACTED]
jobs.run('10.0.0.7', 'svc', 'Tg7pw') ==> jobs.run('10.0.0.7', 'svc', '[REDACTED]')
jdbc:oracle:thin:svc/Or8pw@db:1521/X ==> jdbc:oracle:thin:svc/[REDACTED]@db:1521/X
"#;

#[test]
fn infrastructure_forms() {
    let r = Redactor::new();
    for case in INFRA_CASES.lines().filter(|l| !l.is_empty()) {
        let (input, expected) = case.split_once(" ==> ").expect("case separator");
        let expected = if expected == "=" { input } else { expected };
        let out = r.redact(input);
        assert_eq!(out, expected, "input: {input}");
        assert_eq!(r.redact(&out), out, "second pass: {input}");
    }
}

#[test]
fn key_alone_is_not_sensitive() {
    let r = Redactor::new();
    for k in [
        "key",
        "cache.key",
        "s3.object.key",
        "map.attribute.some.map.key",
        "sort_key",
        "partition_key",
        "routing_key",
        "key_id",
        "pin_code",
        "gpio_pin",
    ] {
        assert!(!r.is_sensitive_key(k), "{k} should not be sensitive");
    }
    for k in [
        "api_key",
        "apikey",
        "secret_key",
        "private_key",
        "access_key",
        "signing_key",
        "encryption_key",
        "client_key",
        "master_key",
        "license_key",
        "ssh_key",
        "psk",
        "pre_shared_key",
        "X-Api-Key",
        "pin",
        "PAT",
        "bind_pw",
        "passwort",
        "contraseña",
    ] {
        assert!(r.is_sensitive_key(k), "{k} should be sensitive");
    }
    // A bare `key` in text: only a secret-shaped value is taken.
    assert_eq!(r.redact("key=Ab3dE5gH9k"), "key=[REDACTED]");
    for line in [
        "key=password",
        "cache.key=user:42",
        "s3.object.key=logs/2024/a.gz",
        "key: F2",
    ] {
        assert_eq!(r.redact(line), line);
    }
}

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

#[test]
fn extra_keys_with_separators() {
    let r = Redactor::with_extra_keys(["otp_code"]);
    assert!(r.is_sensitive_key("otp_code") && r.is_sensitive_key("OtpCode"));
    assert_eq!(
        r.redact("otp_code=481516 user=x"),
        "otp_code=[REDACTED] user=x"
    );
}

#[test]
fn provisioning_and_device_forms() {
    let r = Redactor::new();
    let cases = [
        (
            "ipmitool lan set 1 snmp c0mmUn1ty",
            "ipmitool lan set 1 snmp [REDACTED]",
        ),
        (
            "ipmitool -I open lan set 2 password Sw0rdfish9",
            "ipmitool -I open lan set 2 password [REDACTED]",
        ),
        (
            "Set the following 'random' passwords root:Qw3rty9Zx",
            "Set the following 'random' passwords root:[REDACTED]",
        ),
        (
            "chpasswd: {list: 'ubuntu:Pa55w0rdX', expire: false}",
            "chpasswd: {list: 'ubuntu:[REDACTED]', expire: false}",
        ),
        (
            "d-i passwd/root-password password T0ps3cretX",
            "d-i passwd/root-password password [REDACTED]",
        ),
        (
            "rootpw --plaintext Ks9Root4x",
            "rootpw --plaintext [REDACTED]",
        ),
        (
            "echo 'V4ultPw9' > ~/.vault_pass",
            "echo '[REDACTED]' > ~/.vault_pass",
        ),
        (
            "echo 'hello' > /tmp/greeting.txt",
            "echo 'hello' > /tmp/greeting.txt",
        ),
        (
            "<AdministratorPassword><Value>Adm1nPw9</Value></AdministratorPassword>",
            "<AdministratorPassword><Value>[REDACTED]</Value></AdministratorPassword>",
        ),
        (
            "DSN=dw;UID=etl;PWD={Br4ced;pw};",
            "DSN=dw;UID=etl;PWD={[REDACTED]};",
        ),
        (
            "Cookie: PHPSESSID=abc123def456ghi",
            "Cookie: PHPSESSID=[REDACTED]",
        ),
        ("\"JSESSIONID=8F3A2C9D1E\"", "\"JSESSIONID=[REDACTED]\""),
        (
            "tacacs server T1 address ipv4 10.0.0.9 key Tk3yValue9",
            "tacacs server T1 address ipv4 10.0.0.9 key [REDACTED]",
        ),
        (
            "  pre-shared-key remote Rm0tePsk77",
            "  pre-shared-key remote [REDACTED]",
        ),
        (
            "Version 2 Community \"c0mmunity9\"",
            "Version 2 Community \"[REDACTED]\"",
        ),
        (
            "ldappasswd -x -w 0ldAdm1n -a 0ldUs3r -s N3wUs3r uid=x",
            "ldappasswd -x -w [REDACTED] -a [REDACTED] -s [REDACTED] uid=x",
        ),
        (
            "https://api.telegram.org/bot123456789:AAHk2jd8Kd93mdk2lf9s0dk3md9s8dk3mdk/sendMessage",
            "https://api.telegram.org/bot[REDACTED]/sendMessage",
        ),
        (
            "FTP command: Client \"10.0.0.7\", \"PASS Ftp5ecret\"",
            "FTP command: Client \"10.0.0.7\", \"PASS [REDACTED]\"",
        ),
        (
            "-object secret,id=sec0,data=QmVtYTEy,format=base64",
            "-object secret,id=sec0,data=[REDACTED],format=base64",
        ),
        (
            "[0 127.0.0.1:5] \"CONFIG\" \"SET\" \"requirepass\" \"R3disPw9\"",
            "[0 127.0.0.1:5] \"CONFIG\" \"SET\" \"requirepass\" \"[REDACTED]\"",
        ),
        (
            "\"ACL\" \"SETUSER\" \"w\" \"on\" \">Acl5ecret\" \"~*\"",
            "\"ACL\" \"SETUSER\" \"w\" \"on\" \">[REDACTED]\" \"~*\"",
        ),
        (
            "    set psksecret ENC Fz8kq2Lm",
            "    set psksecret ENC [REDACTED]",
        ),
        (
            "mosquitto_pub -h m -u s1 -P Mq77pass -t t",
            "mosquitto_pub -h m -u s1 -P [REDACTED] -t t",
        ),
        (
            "utente=admin parola_d_ordine=It4l1anPw",
            "utente=admin parola_d_ordine=[REDACTED]",
        ),
    ];
    check_forms(
        &r,
        &cases,
        &[
            "WARNING! Using --password via the CLI is insecure. Use --password-stdin.",
            "      + password = (sensitive value)",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-creds-Ab3dEf",
            "INFO auth: password reset requested for user bob",
            "secret \"db-creds\" deleted",
        ],
    );
}

#[test]
fn third_corpus_forms() {
    let r = Redactor::new();
    let cases = [
        (
            "ipmitool -I lanplus -y 0a1b2c3d4e5f60718293 -H h power on",
            "ipmitool -I lanplus -y [REDACTED] -H h power on",
        ),
        (
            "redfishtool -r 10.0.0.9 -t 171b2f3a9f889e Chassis",
            "redfishtool -r 10.0.0.9 -t [REDACTED] Chassis",
        ),
        (
            "knife bootstrap h -U root -P 'Kn1fePw9' -N n",
            "knife bootstrap h -U root -P '[REDACTED]' -N n",
        ),
        (
            "Unseal Key 1: VvU6pu7aNdRxN+G+HDX8I92h",
            "Unseal Key 1: [REDACTED]",
        ),
        (
            r"C:\> ktpass /princ HTTP/x@Y /pass Kt9pass /out k",
            r"C:\> ktpass /princ HTTP/x@Y /pass [REDACTED] /out k",
        ),
        (
            "r1(config-line)# password evW5ST__zL5.RYmm",
            "r1(config-line)# password [REDACTED]",
        ),
        (
            r#"{"kty":"EC","x":"ZCdY","d":"DY_XKfWUT4L29"}"#,
            r#"{"kty":"EC","x":"ZCdY","d":"[REDACTED]"}"#,
        ),
        (
            "GOVC_URL='https://administrator@vsphere.local:Tundra~W6@vc01/sdk'",
            "GOVC_URL='https://administrator@vsphere.local:[REDACTED]@vc01/sdk'",
        ),
        (
            r#""routing_key": "c5455da26c1663c6b887""#,
            r#""routing_key": "[REDACTED]""#,
        ),
        (
            "client-key-data: LS0tLS1CRUdJTiBSU0Eg",
            "client-key-data: [REDACTED]",
        ),
        (
            "kubeadm join h:6443 --certificate-key 3a8237b9f3f1adbf",
            "kubeadm join h:6443 --certificate-key [REDACTED]",
        ),
        (
            r#"Found key: "profile::db::password" value: "Pebble94227!""#,
            r#"Found key: "profile::db::password" value: "[REDACTED]""#,
        ),
        (
            r#"{"Name": "/prov/bmc/password", "Type": "SecureString", "Value": "d4r.S2A5e"}"#,
            r#"{"Name": "/prov/bmc/password", "Type": "SecureString", "Value": "[REDACTED]"}"#,
        ),
        (
            r#"-NewPassword (ConvertTo-SecureString -AsPlainText "r#45x" -Force)"#,
            r#"-NewPassword (ConvertTo-SecureString -AsPlainText "[REDACTED]" -Force)"#,
        ),
    ];
    check_forms(
        &r,
        &cases,
        &[
            "password [success=1 default=ignore] pam_unix.so obscure yescrypt",
            "password hash algorithm changed from sha512crypt to yescrypt",
            "250-AUTH PLAIN LOGIN",
            r#""routing_key": "orders.created""#,
            r#""client_token":"hmac-sha256:5f2d9a7c1b3e4f6a8d0c""#,
        ],
    );
}

#[test]
fn fourth_corpus_forms() {
    let r = Redactor::new();
    let cases = [
        (
            "received agent_token yJIbVIJ1N7QqybQLKjNR from lookup",
            "received agent_token [REDACTED] from lookup",
        ),
        (
            "listen stats stats auth admin:H4pr0xy-St4ts",
            "listen stats stats auth admin:[REDACTED]",
        ),
        (
            "(phase1-interface) # set psksecret F0rti-Psk!Site2",
            "(phase1-interface) # set psksecret [REDACTED]",
        ),
        (r#"key = "T4c-Plus-K3y!""#, r#"key = "[REDACTED]""#),
        (
            "Option ldap_default_authtok is 'Sss-Auth!Tok9'",
            "Option ldap_default_authtok is '[REDACTED]'",
        ),
        (
            r#"expect "Password:" send "Ttys1-L0gin!""#,
            r#"expect "Password:" send "[REDACTED]""#,
        ),
        (
            "dsn=https://6db1458bf0b778bf8b64f708a59f33b0@o450123.ingest.sentry.io/5",
            "dsn=https://[REDACTED]@o450123.ingest.sentry.io/5",
        ),
    ];
    check_forms(
        &r,
        &cases,
        &[
            "> Authorization: Bearer [FILTERED]",
            "bmc_password: ref+vault://secret/data/bmc#/password",
            "API_TOKEN: <set to the key 'token' in secret 'fleet-api'>  Optional: false",
            r#""SecretId": "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/x-Ab3dEf""#,
            "< Set-Cookie: grafana_session_expiry=1717003600; Path=/; Max-Age=2592000",
            "> Cookie: _ga=GA1.2.1234567890.1717000000; theme=dark; lang=en",
            "IMM.PasswordChangeInterval=90 IMM.MinPasswordLength=10",
            "idempotency_key=job-4412-retry-2",
            r#"{"UserId": "AIDAWCMKM0LHRRO9V3IUJ", "Account": "123456789012"}"#,
        ],
    );
}

/// Each `(input, want)` redacts to `want`; each clean line stays as it is.
fn check_forms(r: &Redactor, cases: &[(&str, &str)], clean: &[&str]) {
    for (input, want) in cases {
        assert_eq!(r.redact(input), *want, "{input}");
    }
    for line in clean {
        assert_eq!(r.redact(line), *line);
    }
}

/// Forms from the ninth and tenth corpora's development halves, with values of our own.
#[test]
fn bios_device_and_verifier_forms() {
    let r = Redactor::new();
    let cases = [
        (
            r#"syscfg /bap "" "pine-Lantern-305""#,
            r#"syscfg /bap "" "[REDACTED]""#,
        ),
        (
            "syscfg /bup OldAdm1n! usr-Old-1 usr-New-22",
            "syscfg /bup [REDACTED] [REDACTED] [REDACTED]",
        ),
        (
            "local-user admin password irreversible-cipher $1c$Xy7q/Zr2ab$",
            "local-user admin password irreversible-cipher [REDACTED]",
        ),
        (
            "echo 'Gr4nite+77' > /root/.ipmipw && ipmitool -f /root/.ipmipw mc info",
            "echo '[REDACTED]' > /root/.ipmipw && ipmitool -f /root/.ipmipw mc info",
        ),
        (
            r#"expect -c 'spawn ssh ops@10.1.1.9; expect "assword:"; send "a91f0c3d77e2b4\r"'"#,
            r#"expect -c 'spawn ssh ops@10.1.1.9; expect "assword:"; send "[REDACTED]"'"#,
        ),
        (
            "rabbitmqctl add_user svc_rpc kQ.zPwXeT.rN4ab",
            "rabbitmqctl add_user svc_rpc [REDACTED]",
        ),
        (
            "Default credentials for this node are ADMIN / QWZRTPLMXK (see the label)",
            "Default credentials for this node are ADMIN / [REDACTED] (see the label)",
        ),
        (
            "logged in as USERID with Pa5sw-R0ot",
            "logged in as USERID with [REDACTED]",
        ),
        (
            "db | SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy",
            "db | [REDACTED]",
        ),
        (
            "olcRootPW: {SSHA}W6ph5Mm5Pz8GgiULbPgzG37m",
            "olcRootPW: [REDACTED]",
        ),
        (
            "userPassword: {CRYPT}$6$salt$hash",
            "userPassword: [REDACTED]",
        ),
        (
            "runner[12]: MIIEowIBAAKCAQEAx2b9Qk1mZ8pL3vR7tYw0",
            "runner[12]: [REDACTED]",
        ),
        (
            "GET /dl.php?file=a.pdf&sid=qk3z9vfpb2m7wlt0x HTTP/1.1",
            "GET /dl.php?file=a.pdf&sid=[REDACTED] HTTP/1.1",
        ),
        (
            "check_http -H intranet -a monitor:Ch3ck-Http",
            "check_http -H intranet -a monitor:[REDACTED]",
        ),
        (
            "notify: your one-time code is 480213",
            "notify: your one-time code is [REDACTED]",
        ),
        (
            "the guest wifi passphrase is birch-lake-ember-42",
            "the guest wifi passphrase is [REDACTED]",
        ),
    ];
    check_forms(
        &r,
        &cases,
        &[
            r#"curl -u "$BMC_USER:$BMC_PASS" -k https://10.20.5.11/redfish/v1/"#,
            "token_type=Bearer expires_in=3600 scope=openid",
            "kubectl create secret generic bmc --from-file=password=./bmc.pass -n metal3",
            "random_password.bmc: Creation complete after 0s [id=none]",
            "auth: password_reset_requested=false mfa_enrolled=true",
            "password.encoder=bcrypt password.strength=12",
            "gpg: using RSA key 11123C8F204483B696CF99A023821240596B4BB0",
            r#"set system root-authentication encrypted-password "/* SECRET-DATA */""#,
            "host key: ssh-ed25519 SHA256:/eaE2zrUSWzs+g5BmfZHEU9Nn7qsQlTi4+6jwyoteKU",
            "[Key=BIOS.Setup.1-1#SysSecurity] SetupPassword=****** (Write-Only)",
            "Oracle sid=ORCL1 ok",
            "the password is stored in vault-prod-01.corp",
            "exit code 137 after 3 retries",
        ],
    );
}

/// Base64 of a secret, hyphenated passwords after flags, codes, call and tuple arguments.
#[test]
fn encoded_and_positional_forms() {
    let r = Redactor::new();
    // base64("sk_live_4eC39HqLyjWDarjtT1zdp7dc"), base64("\0bob\0Dov3cot!x"),
    // base64("metrics:Scr4pe-Prom"), base64 of a docker config with a password.
    let cases = [
        (
            r#"{"data":{"stripe":"c2tfbGl2ZV80ZUMzOUhxTHlqV0Rhcmp0VDF6ZHA3ZGM="}}"#,
            r#"{"data":{"stripe":"[REDACTED]"}}"#,
        ),
        (
            "dovecot: auth: client in: AUTH 1 PLAIN service=imap resp=AGJvYgBEb3YzY290IXg=",
            "dovecot: auth: client in: AUTH 1 PLAIN service=imap resp=[REDACTED]",
        ),
        (
            r#"proxy_set_header Authorization "Basic bWV0cmljczpTY3I0cGUtUHJvbQ==";"#,
            r#"proxy_set_header Authorization "Basic [REDACTED]";"#,
        ),
        (
            "  .dockerconfigjson: eyJhdXRocyI6eyJyZWcuZXhhbXBsZSI6eyJwYXNzd29yZCI6IkhhcmJvci1QdWxsLTkifX19",
            "  .dockerconfigjson: [REDACTED]",
        ),
        (
            "ipmitool -I lanplus -H 10.0.0.9 -U root -P Kestrel-Harbor chassis status",
            "ipmitool -I lanplus -H 10.0.0.9 -U root -P [REDACTED] chassis status",
        ),
        (
            "hpilo_cli -l Administrator -p Ilo-Cli-Pw ilo-r2.oob get_fw_version",
            "hpilo_cli -l Administrator -p [REDACTED] ilo-r2.oob get_fw_version",
        ),
        (
            "    return login(self.host, 'admin', 'Jupiter=4410')",
            "    return login(self.host, 'admin', '[REDACTED]')",
        ),
        (
            "Retrying message. args=('r07-n12', 'admin', '9c1f0e7d2b44a8e31f60')",
            "Retrying message. args=('r07-n12', 'admin', '[REDACTED]')",
        ),
        (
            "Administrator:500:aad3b435b51404eeaad3b435b51404ee:31d6cfe0d16ae931b73c59d7e0c089c0:::",
            "Administrator:500:aad3b435b51404eeaad3b435b51404ee:[REDACTED]:::",
        ),
        (
            "2fa: recovery code for admin: qmzta-7kvrp",
            "2fa: recovery code for admin: [REDACTED]",
        ),
        (
            "BitLocker recovery key for WS-07: 111122-333344-555566-777788",
            "BitLocker recovery key for WS-07: [REDACTED]",
        ),
        ("ADO_EXT_PAT=q7w2e9r4t6y1u8i3o5p0a2s4d6f8g1h3", "ADO_EXT_PAT=[REDACTED]"),
        (
            "<tls-crypt> line 7: 0f1e2d3c4b5a69788796a5b4c3d2e1f0",
            "<tls-crypt> line 7: [REDACTED]",
        ),
    ];
    check_forms(
        &r,
        &cases,
        &[
            // base64 of "Password:"
            "postfix/smtpd: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
            "ssh -l root -p 2222 bastion.corp.example",
            "auth: invalid password attempts=5 lockout_duration=15m user=svc_report",
            r#"  "integrity": "sha512-yz6M34vHmZ1d1a2l9ddS4t07j0d55Qnf+w0+RxJbY8i+b08tbNofuFuG+DSbxSF4OTr+9xEfRRX6/IuciRKmww==","#,
            "api_key: YOUR_API_KEY_HERE",
            "external-secrets: secret synced ExternalSecret=prod/db-creds refreshInterval=1h",
            "peer: Vs2tkgeORAHmqUgXI0VA1uyPlXifvLcaVFaS80mIZ/U=",
            "$pw = ConvertTo-SecureString $plain -AsPlainText -Force",
            "args=('GET', 'POST', 'PUT')",
        ],
    );
}

/// Device communities, argument lists, here-strings, vendor tokens and hashes.
#[test]
fn device_argument_and_token_forms() {
    let r = Redactor::new();
    let cases = [
        (
            "snmp-server host 10.0.0.15 version 2c trapC0mm99 udp-port 162",
            "snmp-server host 10.0.0.15 version 2c [REDACTED] udp-port 162",
        ),
        (
            "set deviceconfig system snmp-setting access-setting version v2c snmp-community-string palSnmpRO-2025",
            "set deviceconfig system snmp-setting access-setting version v2c snmp-community-string [REDACTED]",
        ),
        (
            r#"fgt # config vpn ipsec phase1-interface ; edit "b3" ; set psksecret "oak-river-4"; end"#,
            r#"fgt # config vpn ipsec phase1-interface ; edit "b3" ; set psksecret "[REDACTED]"; end"#,
        ),
        (
            " hwtacacs-server shared-key cipher %^%#b^7NQESy}Rb^7tw0(Fv|RK%^%#",
            " hwtacacs-server shared-key cipher [REDACTED]",
        ),
        (
            "/snmp community set [ find default=yes ] name=mtk-ro-77",
            "/snmp community set [ find default=yes ] name=[REDACTED]",
        ),
        (
            r#"curl -su "ci-bot:116b0272a180ec1915" https://ci.corp/job/x"#,
            r#"curl -su "ci-bot:[REDACTED]" https://ci.corp/job/x"#,
        ),
        (
            "grafana-cli admin reset-admin-password graf-admin-2025",
            "grafana-cli admin reset-admin-password [REDACTED]",
        ),
        (
            "POST /reset.php newpass=Pa55-Reset&confirm=1",
            "POST /reset.php newpass=[REDACTED]&confirm=1",
        ),
        (
            "jobs.accounts.create_user('bob', 'bob@corp.example', 'Welcome-Bob-25')",
            "jobs.accounts.create_user('bob', 'bob@corp.example', '[REDACTED]')",
        ),
        (
            "Executing command 'shadow.set_password' with jid 2024 args=['svc_mon', 'Salt-Pw!x']",
            "Executing command 'shadow.set_password' with jid 2024 args=['svc_mon', '[REDACTED]']",
        ),
        ("127.0.0.1:6379> AUTH Red1s-Auth-9", "127.0.0.1:6379> AUTH [REDACTED]"),
        (
            "+ az devops login --organization https://dev.azure.com/acme <<< qk2jd8s7f6g5h4j3k2l1",
            "+ az devops login --organization https://dev.azure.com/acme <<< [REDACTED]",
        ),
        ("secret_id             5e6cb090-5794-4281-a9b4-792ce5010c1b", "secret_id             [REDACTED]"),
        (
            "OAuth header auth=\"OAuth 3t8svmiaau8iofygey4ess4bbh30\"",
            "OAuth header auth=\"OAuth [REDACTED]\"",
        ),
        (
            "kubeadm: token abcdef.0123456789abcdef created",
            "kubeadm: token [REDACTED] created",
        ),
        (
            "('admin', 'pbkdf2_sha256$600000$5wlZdmffKhOp2C7f$cSZrY2WUUtrxADejszMU=')",
            "('admin', '[REDACTED]')",
        ),
        (
            "IDENTIFIED WITH mysql_native_password AS '*CA7BBF776468F6D89D7DFB3912F4203F6DC98A2E'",
            "IDENTIFIED WITH mysql_native_password AS '[REDACTED]'",
        ),
        (
            "Your one-time password is 482-913-771. It expires in 10 minutes.",
            "Your one-time password is [REDACTED]. It expires in 10 minutes.",
        ),
    ];
    check_forms(
        &r,
        &cases,
        &[
            "passwd: Authentication token manipulation error",
            "auth required pam_faillock.so preauth silent deny=5 unlock_time=900",
            "Auth Type Enable        : Callback : MD5 PASSWORD",
            "Task hosts.rotate_password[9129838c-68cc-46f0-bd2f-a09ebd215dd4] succeeded in 2.31s",
            "golang.org/x/crypto v0.23.0 h1:2Kl05ZV7Lg/g+dJyeUdnQUd8onZlcJLLc8PdUCv5g2Y=",
            "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
            "CPU-P0 at 45C, PWD=/root, OLDPWD=/tmp",
            "module.loadbalancer.aws_lb.main: Refreshing state",
        ],
    );
}

/// The needle lists run parallel to the rule lists: the words of a rule's needles must be
/// words of its own pattern (this fails when an insertion shifts one list against the
/// other), except for the needles that name the line's context rather than the match.
#[test]
fn rule_needles_belong_to_their_rules() {
    const CONTEXT: &[&str] = &[
        "kty",
        "identified|authentication_string|password",
        "kubeadm|bootstrap|--token",
        "aad3b435b51404ee|xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    ];
    let mut wrong = Vec::new();
    for (pattern, _, needles) in super::rules::table() {
        let p = pattern.to_ascii_lowercase();
        let alts: Vec<&str> = needles.split('|').filter(|n| !n.is_empty()).collect();
        if alts.is_empty() || CONTEXT.contains(&needles) {
            continue;
        }
        let fits = alts.iter().any(|n| {
            n.split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| w.len() > 1)
                .all(|w| p.contains(w))
        });
        if !fits {
            wrong.push(format!("{needles:?} for {pattern}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Vendor CLIs, SASL in bytes, tuples with ports, prose with a subject, device values.
#[test]
fn vendor_sasl_tuple_and_device_forms() {
    let r = Redactor::new();
    let cases = [
        (
            "composer config --global --auth http-basic.repo.packagist.com acme c25aa067d3b83e5b4dc6",
            "composer config --global --auth http-basic.repo.packagist.com acme [REDACTED]",
        ),
        (
            "cryptsetup luksOpen /dev/sdb1 vault <<< 'Luks disk unlock 42'",
            "cryptsetup luksOpen /dev/sdb1 vault <<< '[REDACTED]'",
        ),
        (
            "DEBUG:redis.connection:sending (b'AUTH', b'Kiwi.Orange42')",
            "DEBUG:redis.connection:sending (b'AUTH', b'[REDACTED]')",
        ),
        (
            "sapcontrol -nr 00 -host sap01 -user sidadm S4p-Adm -function GetProcessList",
            "sapcontrol -nr 00 -host sap01 -user sidadm [REDACTED] -function GetProcessList",
        ),
        (
            "DEBUG args: ('sw-core-01', 22, 'netops', 'harbor-falcon-cedar')",
            "DEBUG args: ('sw-core-01', 22, 'netops', '[REDACTED]')",
        ),
        (
            "target=('10.40.12.107', 623, 'ADMIN', 'Tundra-Sierra-26', 'lanplus')",
            "target=('10.40.12.107', 623, 'ADMIN', '[REDACTED]', 'lanplus')",
        ),
        (
            "sending PLAIN response b'\\x00celery\\x00gSSzOTIehZYKa7n'",
            "sending PLAIN response b'\\x00celery\\x00[REDACTED]'",
        ),
        (
            "./IPMICFG-Linux.x86_64 -user add 3 ops vtKnKZ7YlabPEA0O 4",
            "./IPMICFG-Linux.x86_64 -user add 3 ops [REDACTED] 4",
        ),
        (
            "comment: BIOS setup password for the R650 batch is Quasar-Meadow-96",
            "comment: BIOS setup password for the R650 batch is [REDACTED]",
        ),
        (
            r#"the passphrase for the deploy key is "indigo anvil walrus" (do not paste)"#,
            r#"the passphrase for the deploy key is "[REDACTED]" (do not paste)"#,
        ),
        (
            "sw(config)# enable secret 0 &88nMGHL@4w*gh6P",
            "sw(config)# enable secret 0 [REDACTED]",
        ),
        (
            "set snmp community Yzdq3l1=R6XU authorization read-only",
            "set snmp community [REDACTED] authorization read-only",
        ),
        ("[snmp] community_rw = r4ven1b3x7!", "[snmp] community_rw = [REDACTED]"),
        ("usuario=apc clave=YhEEniQsIATnRcIcUoL", "usuario=apc clave=[REDACTED]"),
        (
            "use goph3r3mb3r6! for the serial console",
            "use [REDACTED] for the serial console",
        ),
        (
            "power_user=maas cipher_suite_id=17 k_g=5c1a7a48a28c73e955e9f20cc6ebe4727a6f2980",
            "power_user=maas cipher_suite_id=17 k_g=[REDACTED]",
        ),
    ];
    check_forms(
        &r,
        &cases,
        &[
            "+ read -r -s -p 'Password: ' DB_PASS",
            "set system root-authentication encrypted-password /* SECRET-DATA */",
            "PASSWORD_HASHERS = ['django.contrib.auth.hashers.PBKDF2PasswordHasher']",
            "INFO:hwauto.vault:bmc_password resolved from vault:secret/data/bmc/r12u07#password",
            r#"{"msg":"loaded verification key","public_key":"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEpZujASLcdLSEw0qUZ5e5cbf5cbk7\n-----END PUBLIC KEY-----"}"#,
            "NTLM authentication failed for user bob",
            "auth: invalid password attempts=5 lockout_duration=15m user=svc_report",
        ],
    );
}

/// Dotted passphrases, `$`-leading passwords, kinit here-strings, vendor tokens; Postfix
/// maps, printf placeholders and component names stay.
#[test]
fn passphrase_and_placeholder_forms() {
    let r = Redactor::new();
    let cases = [
        (
            "POSTGRES_PASSWORD=spruce.copper.otter.lemon",
            "POSTGRES_PASSWORD=[REDACTED]",
        ),
        (
            r#""password":"quartz.lantern.island.anchor.3""#,
            r#""password":"[REDACTED]""#,
        ),
        (
            "optional_args={'secret': '$Oyster1571', 'transport': 'ssh'}",
            "optional_args={'secret': '[REDACTED]', 'transport': 'ssh'}",
        ),
        (
            "+ kinit admin@CORP.EXAMPLE <<< 'HereString-Krb9'",
            "+ kinit admin@CORP.EXAMPLE <<< '[REDACTED]'",
        ),
        (
            "mailgun client init with key-61c410e8501fe43d72dc512e5bb9f9b1",
            "mailgun client init with [REDACTED]",
        ),
        (
            "nr-sync[552]: NRAK-ERCXSP4BJISIKZ7Y1XX1XO7J65S accepted",
            "nr-sync[552]: [REDACTED] accepted",
        ),
        (
            "DEBUG:asyncpg: connect args ('pg-05.int', 5432, 'fleet', 'Cinnamon_Roll4', 'fleet')",
            "DEBUG:asyncpg: connect args ('pg-05.int', 5432, 'fleet', '[REDACTED]', 'fleet')",
        ),
        (
            "the new guest wifi PSK for AMS1 is guest-wifi-october-88 (valid)",
            "the new guest wifi PSK for AMS1 is [REDACTED] (valid)",
        ),
        (
            " local-user admin password irreversible-cipher $1a$uqE{JvS,cy}L?m3X6$",
            " local-user admin password irreversible-cipher [REDACTED]",
        ),
    ];
    check_forms(
        &r,
        &cases,
        &[
            "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd",
            "fleetctl: connecting with password=%s user=%s",
            "secret-sync: synced 42 secrets from vault to namespace fleet",
            "[Key=BIOS.Setup.1-1#SysSecurity] SetupPassword=****** (Write-Only)",
            "curl -u \"$BMC_USER:$BMC_PASS\" https://bmc",
        ],
    );
    // A first pass that cut the token leaves nothing for a second pass.
    let once =
        r.redact("using deploy credentials gitlab+deploy-token-17:gldt--mA1eJgGjnocVakz1tzo");
    assert_eq!(r.redact(&once), once);
}

/// Device passphrases, here-strings into more readers, attached quoted LDAP passwords.
#[test]
fn device_passphrase_and_reader_forms() {
    let r = Redactor::new();
    let cases = [
        (" key-string Eigrp.Chain.Key1", " key-string [REDACTED]"),
        ("crypto isakmp key Ikev1.Psk.BranchA address 203.0.113.22", "crypto isakmp key [REDACTED] address 203.0.113.22"),
        ("set system login user noc authentication plain-text-password-value velvet-gopher-tango", "set system login user noc authentication plain-text-password-value [REDACTED]"),
        (">config wlan security wpa akm psk set-key ascii raven-jasper-anchor 3", ">config wlan security wpa akm psk set-key ascii [REDACTED] 3"),
        ("set vpn ipsec site-to-site peer 203.0.113.40 authentication pre-shared-secret 'mango.tango.walrus'", "set vpn ipsec site-to-site peer 203.0.113.40 authentication pre-shared-secret '[REDACTED]'"),
        ("ldapmodify -x -D cn=admin,dc=corp -w'gopher-hazel-falcon' -f add.ldif", "ldapmodify -x -D cn=admin,dc=corp -w'[REDACTED]' -f add.ldif"),
        ("+ pdbedit -a -u svc_scan -t <<< \"Smbpasswd!Bulk\"", "+ pdbedit -a -u svc_scan -t <<< \"[REDACTED]\""),
        ("+ gpg --batch --passphrase-fd 0 -d s.tar.gpg <<< 'violet indigo marble 85'", "+ gpg --batch --passphrase-fd 0 -d s.tar.gpg <<< '[REDACTED]'"),
        ("redis.connection DEBUG sending command: (b'AUTH', b'default', b'Nebula_Forge33')", "redis.connection DEBUG sending command: (b'AUTH', b'default', b'[REDACTED]')"),
        ("Registering runner... succeeded runner=GR1348941cdc5UCmgdnwki_0DQoV3 executor=shell", "Registering runner... succeeded runner=[REDACTED] executor=shell"),
        ("<ops-bot> Password for the guest portal voucher admin: tuesday-lemon-42", "<ops-bot> Password for the guest portal voucher admin: [REDACTED]"),
    ];
    check_forms(
        &r,
        &cases,
        &[
            "$pw = New-Object System.Security.SecureString",
            "rsync -av src/ admin / backups",
            "exit code=1 after 3 retries",
        ],
    );
}
