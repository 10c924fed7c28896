"""Credentials are removed in every profile, in every format they appear in."""

from __future__ import annotations

import base64

import pytest
from tests.redact.conftest import redact

SECRET = "Xq7!vR2#pL9"


@pytest.mark.parametrize(
    "line",
    [
        f"password={SECRET}",
        f"db.password = {SECRET}",
        f"DB_PASSWORD: {SECRET}",
        f'"password": "{SECRET}"',
        f'{{"clientSecret":"{SECRET}","id":1}}',
        f'msg="body {{\\"apiKey\\":\\"{SECRET}\\"}}"',
        f'<Resource username="jira" password="{SECRET}" />',
        f"<password>{SECRET}</password>",
        f'<property name="hibernate.connection.password">{SECRET}</property>',
        f'{{"name":"DB_PASSWORD","value":"{SECRET}"}}',
        f"export API_TOKEN={SECRET}",
        f"passwd := '{SECRET}'",
        f"GET /sync?access_token={SECRET}&page=2",
        f"app.config['SECRET_KEY'] = '{SECRET}'",
        f"java -jar tool.jar --password {SECRET}",
        # SQL, directives alone on a line, .netrc and tools' short password flags.
        f"LOG:  statement: ALTER USER app_rw WITH PASSWORD '{SECRET}';",
        f"CREATE USER 'report'@'%' IDENTIFIED BY '{SECRET}';",
        f"CREATE USER 'r'@'%' IDENTIFIED WITH mysql_native_password BY '{SECRET}';",
        f"[Note] A temporary password is generated for root@localhost: {SECRET}",
        f"requirepass {SECRET}",
        f"  bindpw {SECRET}",
        f"machine api.example.com login jdoe password {SECRET}",
        f'ldapsearch -x -D "cn=reader,dc=example,dc=org" -w {SECRET} -b "dc=example,dc=org"',
        f'sqlcmd -S sql01 -U jira -P {SECRET} -Q "SELECT 1"',
        f"mongosh mongodb://mongo01/admin -u admin -p {SECRET}",
        f"smbclient //fs01/share -U jdoe%{SECRET}",
        f"openssl pkcs12 -export -in c.pem -out k.p12 -passout pass:{SECRET}",
        # Wrapped, bracketed, braced and block values; values named by a sibling or a variable.
        f'"spring.mail.password":{{"value":"{SECRET}","origin":"env"}}',
        f'    "MIRROR_TOKEN" : {{ "value" : "{SECRET}", "origin" : "env" }},',
        f"smtp:\n  password: >-\n    {SECRET}\n  port: 587",
        f"Request parameters: {{os_username=[jdoe], os_password=[{SECRET}], login=[Log in]}}",
        f"Driver={{ODBC Driver 18}};Server=sql01;UID=report;PWD={{{SECRET};x}};",
        f"headers={{Host=[wiki], Authorization=[Bearer {SECRET}A1], Accept=[*/*]}}",
        f'headers={{"Authorization"=>"Splunk {SECRET}"}}',
        f'{{"fieldName":"Password","changedFrom":"","changedTo":"{SECRET}"}}',
        f"Substituting variable: ${{bamboo.db.password}} with {SECRET}",
        f"define( 'DB_PASSWORD', '{SECRET}' );",
        f'masterauth "{SECRET}"',
        f"user ingest on >{SECRET} ~ingest:* &* +@all",
        f'AuthInfo:smtp.example.org "U:postmaster" "P:{SECRET}" "M:PLAIN"',
        f"db01.example.org:5432:*:replicator:{SECRET}",
        f'  org.apache.zookeeper.server.auth.DigestLoginModule required\n  user_super="{SECRET}";',
        f"Set the following 'random' passwords\nubuntu:{SECRET}\n",
        f"Created account jdoe with temporary password {SECRET} (change at first login)",
        f"kadmin -p admin/admin -w '{SECRET}' -q listprincs",
        f"ConvertTo-SecureString -AsPlainText '{SECRET}' -Force",
        f"net use Z: \\\\fs01\\data {SECRET} /user:ACME\\svc_backup /persistent:no",
        f"  routing_key: {SECRET}",
        f"Using TSIG secret dns_rfc2136_secret = {SECRET}",
        f"[entrypoint] using MINIO_ROOT_PASSWORD={SECRET}",
        f"#0 Connector.php(70): PDO->__construct('mysql:host=db', 'shop', '{SECRET}', Array)",
        f"{{ command: {{ name: 'auth', args: [ 'default', '{SECRET}' ] }} }}",
        f'1710000000.123456 [0 10.0.0.5:51234] "AUTH" "default" "{SECRET}"',
        f"dsn svc_orders:{SECRET}@tcp(mysql-primary:3306)/orders?parseTime=true",
        # Names and values apart: siblings, children, tool output, mail protocols, prose.
        f'{{\n  "name": "sql-admin-password",\n  "tags": {{}},\n  "value": "{SECRET}"\n}}',
        f'representation={{"type":"password","value":"{SECRET}","temporary":true}}',
        f'          "bindCredential": ["{SECRET}"],',
        f"    admin_password:\n      value: {SECRET}\n",
        f"<Password>\n    <Value>{SECRET}</Value>\n</Password>",
        f'"type": "random_password", "attributes": {{ "result": "{SECRET}", "special": true }}',
        f'a001 LOGIN "jdoe@example.com" "{SECRET}"',
        f"C: PASS {SECRET}",
        f"we bind as svc-ldap with password {SECRET} and it worked before",
        f"C:\\>net user svc_backup {SECRET} /add /domain",
        f"spring.mail.password=Kes\\u00e4{SECRET}",
        f"'Authorization': b'AWS4-HMAC-SHA256 Credential=x, Signature={SECRET}', 'Host': b'h'",
        f'Authorization: Digest username="svc", nonce="dcd98b", response="{SECRET}"',
        f"  -H 'Ocp-Apim-Subscription-Key: {SECRET}'",
        f"secret_id             {SECRET}",
        f"Request body: SAMLResponse={SECRET}&RelayState=%2F",
        f"GET /oauth2/callback?state=af0ifj&code=4/0AeaYSHB{SECRET}x9&scope=email",
        # Prose in tickets and mails, in several languages; more clients' password flags.
        f"The password for the jiradbuser account is {SECRET} and I verified it works.",
        f"I reset the password of jira-admin to {SECRET} so we could log in.",
        f"das Passwort für den Admin-Benutzer lautet aktuell {SECRET} – bitte ändern",
        f"Benutzer: t.schneider\nKennwort: {SECRET}",
        f"le mot de passe du compte de service est : {SECRET}",
        f'the passphrase is "blue {SECRET} river"',
        f"WPA2 key: {SECRET}",
        f"Login for the test system is admin / {SECRET} and the URL is the usual one.",
        f"DEBUG - login with user etl_ftp and password {SECRET}",
        f"cqlsh cass01 9042 -u cassandra_admin -p '{SECRET}' --ssl",
        f"beeline -u jdbc:hive2://hs2:10000/default -n etl -p {SECRET}",
        f"mosquitto_passwd -b /etc/mosquitto/passwd sensor_gw '{SECRET}'",
        f"mosquitto_sub -h broker -u gw -P {SECRET} -t 'sensors/#'",
        f"hadoop credential create db.password -value '{SECRET}' -provider jceks://hdfs/x",
        f"curl -u elastic:'{SECRET}' -X GET https://localhost:9200/_cluster/health",
        f"check_http -H intranet -S -a monitor:{SECRET} -u /health",
        f"-e NEO4J_AUTH=neo4j/{SECRET}",
        f'password = """{SECRET}"""',
        # Network devices, VPNs and Wi-Fi.
        f"username netops privilege 15 secret 9 {SECRET}",
        f" key 0 {SECRET}",
        f"snmp-server community {SECRET} RO",
        f" standby 1 authentication md5 key-string {SECRET}",
        f"ntp authentication-key 1 md5 {SECRET} 7",
        f" neighbor 172.31.255.2 password {SECRET}",
        f"crypto isakmp key {SECRET} address 203.0.113.9",
        f"(Cisco Controller) >config wlan security wpa akm psk set-key ascii {SECRET} 3",
        f'set security ike policy P pre-shared-key ascii-text "{SECRET}"',
        f"    set psksecret ENC {SECRET}",
        f"cachemgr_passwd {SECRET} all",
        f"user jsmith insecure-password {SECRET}",
        f"rocommunity {SECRET} 10.0.0.0/8",
        f'createUser snmpmon SHA-256 "{SECRET}" AES "{SECRET}"',
        f': PSK "{SECRET}"',
        f'@west @east : PSK "{SECRET}"',
        f'network={{\n  ssid="ACME"\n  psk="{SECRET}"\n}}',
        f"[wifi-security]\nkey-mgmt=wpa-psk\npsk={SECRET}",
        f"/interface wireless security-profiles set wpa2-pre-shared-key={SECRET}",
        f"<pre-shared-key>{SECRET}</pre-shared-key><ldap_bindpw>{SECRET}</ldap_bindpw>",
        f'basic_ldap_auth -b "dc=x" -D "cn=squid,dc=x" -w "{SECRET}" -f uid=%s ldap01',
        f"snmp_community_read={SECRET}",
        f"Auth: (731) Login OK: [mlopez/{SECRET}] (from client vpn port 0)",
        f"debug headers: ('x-api-key', '{SECRET}'), (':path', '/v1')",
        f"<password><![CDATA[{SECRET}<&>]]></password>",
        f'<property name="password"><value><![CDATA[{SECRET}<&>]]></value></property>',
        f"Pass_Word={SECRET}",
        f"the temporary password for the staging admin is {SECRET} until Friday",
        f"password=my_{SECRET}_pass",
        f"sqlplus -s system/{SECRET}@//ora-db1:1521/FINPDB @report.sql",
        f'<entry key="smtp.password"><![CDATA[{SECRET}<&>]]></entry>',
        f'1:M # CONFIG SET requirepass "{SECRET}" by client addr=10.9.0.3:51234',
        f'schtasks /Create /TN "DailyReport" /RU CORP\\svc_reports /RP "{SECRET}"',
        f"ktpass /out http.keytab /mapuser CORP\\svc_http /pass {SECRET} /crypto AES256-SHA1",
        f'Invoke-Sqlcmd -ServerInstance "SQL01" -Username "inv" -Password "{SECRET}" -Query "x"',
        f"EXEC sp_addlinkedsrvlogin @rmtuser = N'FIN_RO', @rmtpassword = N'{SECRET}';",
        f"Enter-PSSession -ComputerName app01 -Credential (Get-Credential) # pw was {SECRET}",
        f'<machineKey validationKey="{SECRET}A3F9C27E" decryptionKey="{SECRET}7E2A9C4F" />',
        f"PASSWD   = `{SECRET}`",
        f'{{\n  "user" : "app" ,\n  "password" :\n      "{SECRET}" ,\n  "port" : 5432\n}}',
        f'>PASSWORD:Need \'Auth\' username/password\npassword "Auth" "{SECRET}"',
        f"php occ ldap:set-config s01 ldapAgentPassword '{SECRET}'",
        f'  "otp_key_base": "{SECRET}a1b2c3d4e5f6",',
    ],
)
def test_it_removes_values_under_secret_keys_in_every_syntax(line: str) -> None:
    out = redact(line, profile="minimal")
    assert SECRET not in out
    assert "***HIDDEN***" in out


@pytest.mark.parametrize(
    "line",
    [
        "password=${DB_PASSWORD}",
        "password=",
        "secret: <your-secret-here>",
        "token=null",
        "password_policy.min_length=12",
        "token_type=Bearer",
        "PWD=/opt/atlassian/jira",
        "X-Atlassian-Token: no-check",
        "tokenizer=standard",
        "org.springframework.security.BadCredentialsException: Bad credentials",
        "primary_key=id",
    ],
)
def test_it_leaves_placeholders_and_descriptive_keys_alone(line: str) -> None:
    assert redact(line) == line


def test_it_masks_url_userinfo_and_pseudonymises_the_user() -> None:
    out = redact("fetch https://jdoe:S3cretPass@git.acme.corp/repo.git")
    assert "S3cretPass" not in out and "jdoe" not in out
    assert "https://user-" in out and ":***HIDDEN***@" in out


@pytest.mark.parametrize(
    "header",
    [
        "Authorization: Basic " + base64.b64encode(b"jdoe:S3cretPass").decode(),
        "Authorization: Bearer 7f3e1c9a2b4d4e6f8a0b1c2d3e4f5a6b",
        "Authorization: SSWS 00QCjAl4MlV-WPXM-ABcDeFgHiJkLmNoPqRsTuVwX",
        'proxy-authorization: Digest username="jdoe", response="6629fae49393a05397450978507c4ef1"',
    ],
)
def test_it_removes_authorization_headers(header: str) -> None:
    value = header.split(" ", 2)[-1]
    assert value[-12:] not in redact(header, profile="minimal")


def test_it_removes_a_bearer_token_without_a_header_but_keeps_prose() -> None:
    assert "abc123def456ghi" not in redact("sending Bearer abc123def456ghi upstream")
    assert redact("Using Bearer authentication") == "Using Bearer authentication"


def test_it_removes_cookies_and_session_ids() -> None:
    sid = "0A1B2C3D4E5F60718293A4B5C6D7E8F9"
    for line in (
        f"Cookie: JSESSIONID={sid}; atlassian.xsrf.token=AB12-CD34-xyz_lin",
        f"GET /secure/Dashboard.jspa;jsessionid={sid} HTTP/1.1",
        f'"sessionId":"{sid}"',
    ):
        assert sid not in redact(line)


@pytest.mark.parametrize(
    "line",
    [
        "jdbc:postgresql://db:5432/jira?user=jira&password=Pg!Secret9",
        "jdbc:sqlserver://db:1433;databaseName=jira;user=sa;password=Pg!Secret9;",
        "Server=db;Database=app;User ID=svc;Password=Pg!Secret9;Encrypt=True;",
        "DSN=reports;UID=svc;PWD=Pg!Secret9",
        "jdbc:oracle:thin:scott/Pg!Secret9@db:1521:ORCL",
        "mongodb+srv://app:Pg!Secret9@cluster0.example.net/prod",
    ],
)
def test_it_removes_passwords_from_connection_strings(line: str) -> None:
    assert "Pg!Secret9" not in redact(line, profile="minimal")


def test_it_removes_multi_line_private_keys_and_keeps_the_markers() -> None:
    text = (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1\nq2w3e4r5\n"
        "-----END RSA PRIVATE KEY-----\n"
    )
    out = redact(text)
    assert "MIIEpAIBAAKCAQEA1" not in out and "q2w3e4r5" not in out
    assert out == "-----BEGIN RSA PRIVATE KEY-----\n***HIDDEN***\n-----END RSA PRIVATE KEY-----\n"


def test_it_removes_a_private_key_escaped_inside_json() -> None:
    line = (
        '{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADAN'
        '\\n-----END PRIVATE KEY-----\\n"}'
    )
    assert "MIIEvQIBADAN" not in redact(line)


def test_it_removes_jwts_anywhere() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqZG9lIn0.4Hb8xQ2mR9tY1uI3oP5aS7dF9gH1jK3l"
    assert jwt[:20] not in redact(f"validated {jwt} ok")


def test_it_removes_random_values_next_to_weak_keys_but_not_words() -> None:
    assert "9fQ2xL7pT4mZ8kW3vB6n" not in redact("X-Api-Key: 9fQ2xL7pT4mZ8kW3vB6n")
    assert "8f2Lq9Zx3Vb7Nm1Kp5Rt" not in redact("using api key 8f2Lq9Zx3Vb7Nm1Kp5Rt now")
    assert redact("cache_key=ISSUE-4711") == "cache_key=ISSUE-4711"


def test_a_key_word_at_the_end_of_a_line_does_not_take_the_next_line() -> None:
    # "KEY-----" then a newline once matched the high-entropy rule with the whole next
    # line as its value, which hid the labelled password on it from discovery.
    text = (
        "-----BEGIN PRIVATE KEY-----\nQUJDREVG\n-----END PRIVATE KEY-----\n"
        "db.password=Zx9-pasted-Secret\nlate paste Zx9-pasted-Secret\nsession\nready\n"
    )
    out = redact(text)
    assert "Zx9-pasted-Secret" not in out
    assert "db.password=***HIDDEN***\n" in out and out.endswith("session\nready\n")


@pytest.mark.parametrize(
    "line",
    [
        "curl -u admin:Adm1nPass! https://jira.example.com/rest",
        "mysql -u root -pAdm1nPass! jira",
        "redis-cli -h cache -a Adm1nPass! ping",
        "keytool -list -keystore cacerts -storepass Adm1nPass!",
    ],
)
def test_it_removes_passwords_from_command_lines(line: str) -> None:
    assert "Adm1nPass!" not in redact(line, profile="minimal")


def test_paranoid_removes_any_random_token_that_standard_keeps() -> None:
    line = "trace 8Zq3Lw9XrT2vN7bM4kJ6hG1fD5sA0pQy end"
    assert redact(line) == line
    assert "8Zq3Lw9XrT2vN7bM4kJ6hG1fD5sA0pQy" not in redact(line, profile="paranoid")


def test_paranoid_keeps_class_names_made_of_words() -> None:
    line = "DEBUG Saml2WebSsoAuthenticationFilter - Request body: RelayState=%2Fjira"
    assert "Saml2WebSsoAuthenticationFilter" in redact(line, profile="paranoid")


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        # camel-case keys ending in Pass/Pw (Tomcat's keystorePass, truststorePass, bindPw)
        (
            f'<Connector port="8443" keystorePass="{SECRET}" keyAlias="tomcat"/>',
            'keyAlias="tomcat"',
        ),
        (f"ldap.bindPw={SECRET}", "ldap.bindPw="),
        # a key starting with "user" is not a counter prefix like "use"
        (f"userPassword: {SECRET}", "userPassword: "),
        # LDIF writes base64 values after "::"
        (f"userPassword:: {base64.b64encode(SECRET.encode()).decode()}", "userPassword:: "),
        # Redis, SSSD: directives that are passwords without the word
        (f"ldap_default_authtok = {SECRET}", "ldap_default_authtok = "),
        # pre-signed URL signatures grant access until they expire
        (
            "GET /b/k?X-Amz-Expires=3600&X-Amz-Signature=" + "ab12" * 16 + " 200",
            "X-Amz-Expires=3600",
        ),
    ],
)
def test_it_recognises_more_secret_key_spellings(line: str, kept: str) -> None:
    out = redact(line, profile="minimal")
    assert SECRET not in out and "ab12ab12" not in out
    assert base64.b64encode(SECRET.encode()).decode() not in out
    assert kept in out


def test_a_weak_key_hides_a_random_value_behind_a_base64_prefix() -> None:
    out = redact("APP_KEY=base64:pZU5FvXokHHtrYTElQLNorsXwts0AMP6M6OJXnu6pJo=", profile="minimal")
    assert "pZU5FvXok" not in out and out.startswith("APP_KEY=")


@pytest.mark.parametrize(
    "text",
    [
        f"<property>\n  <name>fs.s3a.secret.key</name>\n  <value>{SECRET}</value>\n</property>",
        f"<param-name>clientSecret</param-name><param-value>{SECRET}</param-value>",
        f'        - name: DB_PASSWORD\n          value: "{SECRET}"\n',
    ],
)
def test_it_removes_values_paired_with_a_secret_name(text: str) -> None:
    out = redact(text, profile="minimal")
    assert SECRET not in out
    assert "DB_PASSWORD" in out or "secret" in out.lower()


@pytest.mark.parametrize(
    "line",
    [
        "implementation 'io.jsonwebtoken:jjwt-api:0.12.3'",
        'api_key = "YOUR_API_KEY"',
        "client_secret: PASTE_SECRET_HERE",
        'PASSWORD = os.environ.get("DB_PASSWORD")',
        "    password: process.env.DB_PASSWORD,",
        'String password = System.getenv("JIRA_DB_PASSWORD");',
        "Password expired",
        "PasswordAuthentication no",
        "auth-user-pass /etc/openvpn/creds.txt",
        "password   requisite   pam_pwquality.so retry=3",
        "Please enter your password twice",
        # What names or points at a secret, and values that are not one.
        "proxy_pass http://127.0.0.1:8080;",
        "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd",
        "existingSecret: keycloak-db-secret\nexistingSecretPasswordKey: redis-password",
        "secrets:\n  db_password:\n    file: ./secrets/db_password.txt",
        "STRIPE_SECRET_KEY=\nSTRIPE_WEBHOOK_SECRET=\n",
        "imageCredentials:\n  create: true",
        "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}",
        "default_pass = $(RABBITMQ_DEFAULT_PASS)",
        '"login_password": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"',
        "token_type=Bearer expires_in=3600 refresh_token_expires_in=7776000",
        "default_authentication_plugin=caching_sha2_password",
        '<password>{"region": "eu-west-1", "secretId": "db", "secretPointer": "/pw"}</password>',
        "jdbc.password.decrypter.classname=com.atlassian.db.config.password.ciphers.Base64Cipher",
        "session.tokenkey=session.tokenkey",
        '"errors":{"password":"The password must be at least 12 characters long"}',
        "slack.token.scope=chat:write",
        "<password>{ATL_SECURED}</password>",
        '{"username": "", "password": null, "remember_me": false}',
        "webhook_url: https://hooks.slack.com/services/XXXXXXXXX/XXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX",
        'user_agent="Mozilla/5.0 (X11; Linux x86_64)" status=200',
        "Initial password change required for jdoe",
        "PASSWORD_HASHERS = ['django.contrib.auth.hashers.Argon2PasswordHasher']",
        "MAX_PASSWORD_AGE=90 maxPasswordAge=90",
        "implementation 'io.jsonwebtoken:jjwt-impl:0.12.3-SNAPSHOT'",
        '"GET /password/reset/done/ HTTP/1.1" 200 4821',
        '"Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]',
        '"ARN": "arn:aws:secretsmanager:eu-central-1:471123456789:secret:prod/db-Xq2mP9"',
        "System.Web, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a",
        "[INFO] +- io.jsonwebtoken:jjwt-api:jar:0.12.5:compile",
        "X-Hub-Signature-256: sha256=d57c68ca6f92289e6987922ff26938930f6e66a2d161ef06abdf18",
        "'Authorization': '(redacted)'",
        '<attribute name="ldap.user.password" value="unicodePwd"/>',
        "Cookie: atlassian.xsrf.token=<redacted>; JSESSIONID=<redacted>",
        "//fs01/share /mnt/share cifs credentials=/etc/samba/.creds,uid=jira 0 0",
        "HostKey /etc/ssh/ssh_host_ed25519_key",
        "https.proxyPassword = ",
        "# -----BEGIN PRIVATE KEY-----\n# ...\n# -----END PRIVATE KEY-----",
        "secret_id_accessor    71c0e5d2-3a4b-4f6e-9c8d-2b1a0e9f8d7c",
        '"result": "success", "type": "aws_instance"',
        "GET /products?code=ABCDEFGHIJKLMNOP1234 HTTP/1.1",
        "with password authentication enabled",
        "# allow login with password authentication only from the VPN",
        "a001 OK LOGIN completed",
        "Password change requested (password rules: minLength=12, minSpecial=1)",
        "C: AUTH LOGIN\nS: 334 UGFzc3dvcmQ6\nC: <password, base64>",
        "token response: token_type=Bearer expires_in=3600 scope=read:jira-work",
        "The password is required and must be changed at first login.",
        "AIRFLOW__WEBSERVER__SECRET_KEY_CMD=cat /run/secrets/airflow_secret_key",
        "  authorization:\n    credentials_file: /var/run/secrets/token",
        'beeline -u "jdbc:hive2://hs2.example.com:10000/default"',
        "docker run -u 1000 -p 8080:80 nginx",
        "org.h2.jdbc.JdbcSQLInvalidAuthorizationSpecException: Wrong user name or password [28000]",
        "java.lang.IllegalStateException: Duplicate key com.acme.FieldConfigImpl@3f2a1b9c",
        "gpg:                using RSA key 4AEE18F83AFDEB23",
        "key server.key  # This file should be kept secret",
        "snmp-server community public RO",
        "key chain OSPF-KEYS",
        "interface: wg0\n  public key: HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=",
        "Message-Authenticator = 0x4c2d8e1f0a3b5c7d9e2f4a6b8c0d1e3f",
        "TLSPSKIdentity=PSK 001",
        "Login incorrect (mschap: failed): [fschneider/<via Auth-Type = eap>] (from client ap01)",
        "[pypi]\nusername = __token__\npassword = ${PYPI_TOKEN}",
        "C:\\>net user\n\nUser accounts for \\\\DC01\n",
        "keyring==25.1.0\nsecretstorage==3.3.3",
        "    usernameSecretKey: username\n    passwordSecretKey: password",
        "SLACK_BOT_TOKEN=xoxb-your-token-here",
        "password: {{ .Values.db.password | quote }}",
        '{"password_changed_at": "2024-01-05T10:00:00Z"}',
        "The API token is shown once; the password is not stored.",
        "password.encoder.iterations=4096",
        "password = %(DB_PASS)s",
        "LoadCredential=db-password:/etc/credstore/db-password",
        "  -p, --password string   Password for the registry (use --password-stdin instead)",
        "Refreshing access token via https://oauth2.googleapis.com/token",
        "  --> src/auth/token.rs:14:22",
        "  password = var.db_password",
        'read -s -p "Password: " DB_PASS; export PGPASSWORD="$DB_PASS"',
        "gpg:                using RSA key 7E8A9B4C3D2E1F0A9B8C7D6E5F4A3B2C1D0E9F8A",
        "Successfully installed keyring-25.1.0 secretstorage-3.3.3",
        "Session-ID: \n    Protocol  : TLSv1.3",
        'connectionString="Data Source=localhost;Initial Catalog=Orders;Integrated Security=SSPI"',
        '$password = Read-Host -AsSecureString -Prompt "Password"',
        "`Authorization: token <YOUR-TOKEN>`.",
        '<machineKey validationKey="AutoGenerate,IsolateApps" decryption="AES" />',
        "PASSWORD_HASH_ALGO = pbkdf2",
        "grant_type=client_credentials password_min_length=12 session_timeout=3600",
        "Password policy: length(12) and upperCase(1) and notUsername",
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
        'MountVolume.SetUp failed for volume "tls" : secret "ingress-tls" not found',
        '  + resource "aws_iam_access_key" "ci" {',
        "Enter passphrase for key '/root/.ssh/id_ed25519':",
        "tokens {\n  agent = true\n}",
    ],
)
def test_code_coordinates_and_placeholders_are_not_secrets(line: str) -> None:
    assert redact(line, profile="minimal") == line


@pytest.mark.parametrize(
    "line",
    [
        f"ALTER LOGIN [jira_app] WITH PASSWORD = N'{SECRET}';",
        f"SET PASSWORD FOR 'report'@'localhost' = '{SECRET}';",
        f"echo '{SECRET}' | sudo -S systemctl restart jira",
        f"net use Z: \\\\fs01\\share /user:ACME\\svc_backup {SECRET}",
        f"htpasswd -b /etc/nginx/.htpasswd monitor {SECRET}",
        f"rabbitmqctl add_user svc_events {SECRET}",
    ],
)
def test_it_removes_passwords_given_as_sql_literals_piped_or_positional(line: str) -> None:
    out = redact(line, profile="minimal")
    assert SECRET not in out and "***HIDDEN***" in out


def test_smtp_auth_plain_and_an_aws_key_pair_in_the_console_csv_are_removed() -> None:
    plain = base64.b64encode(f"\0jdoe\0{SECRET}".encode()).decode()
    out = redact(f"DEBUG [mail] C: AUTH PLAIN {plain}", profile="minimal")
    assert plain not in out and out.startswith("DEBUG [mail] C: AUTH PLAIN ")
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzK9sQ2LmXw"
    out = redact(f"Access key ID,Secret access key\nAKIA2E0A8F3B244C9986,{secret}\n")
    assert secret not in out and "AKIA2E0A8F3B244C9986" not in out
    assert out.startswith("Access key ID,Secret access key\n")


@pytest.mark.parametrize(
    "line",
    [
        "Nov 29 10:15:32 app01 passwd[2211]: pam_unix(passwd:chauthtok): password changed",
        "password_encryption = scram-sha-256",
        "TOKEN_ISSUER=sitrep",
    ],
)
def test_pam_stages_and_descriptive_keys_are_not_secrets(line: str) -> None:
    assert redact(line, profile="minimal") == line


def test_a_password_with_a_parenthesis_is_not_taken_for_code() -> None:
    assert "Pa" not in redact("password=Pa(ss)w0rd", profile="minimal").split("=", 1)[1][:2]
    assert redact('PASSWORD = getenv("X")', profile="minimal") == 'PASSWORD = getenv("X")'


def test_a_cookie_being_cleared_stays_but_a_real_one_beside_it_goes() -> None:
    line = "Set-Cookie: atlassian.xsrf.token=; Max-Age=0; Path=/"
    assert redact(line, profile="minimal") == line
    assert "0A1B2C3D" not in redact("Cookie: a=; JSESSIONID=0A1B2C3D4E5F", profile="minimal")


def test_a_hash_scheme_alone_is_a_placeholder_and_crypto_keys_are_strong() -> None:
    line = "UPDATE cwd_user SET credential = '{PKCS5S2}' WHERE id = 0;"
    assert redact(line, profile="minimal") == line
    key = "cb2c5af58b0cfd5158e4e1e0b39027592aa42194a93dadbf6ef2f786bf90dd5b"
    assert key not in redact(f"HMAC_KEY={key}", profile="minimal")
    assert redact(f"sha256={key}", profile="minimal") == f"sha256={key}"


def test_a_default_password_is_still_a_password():
    # "changeme" and "changeit" are shipped defaults that stay in use: that the admin kept
    # one is itself worth hiding.
    for line in ("admin.password=changeme\n", "keystorePass=changeit\n"):
        out = redact(line)
        assert "change" not in out and out.endswith("=***HIDDEN***\n"), out


@pytest.mark.parametrize(
    "line",
    [
        "  stats auth admin:Zx9-pasted-Secret",
        "$c = ConvertTo-SecureString 'Zx9-pasted-Secret' -AsPlainText -Force",
        "Please use the following password to proceed to installation:\n\nZx9-pasted-Secret\n",
    ],
)
def test_haproxy_stats_powershell_and_jenkins_initial_passwords_are_hidden(line: str) -> None:
    assert "Zx9-pasted-Secret" not in redact(line, profile="minimal")


def test_a_password_hashing_module_is_not_a_password() -> None:
    line = "password_hashing_module = rabbit_password_hashing_sha256\n"
    assert redact(line, profile="minimal") == line


@pytest.mark.parametrize(
    "value",
    [
        # PostgreSQL's verifiers (PgBouncer userlist.txt), a Docker config.json in base64,
        # password hashes with their scheme: as good as the password for whoever has them.
        "md53c1e4b7a9f2d0e8c6b5a4f3e2d1c0b9a",
        "SCRAM-SHA-256$4096:Gq3v1k9xZ2bQ7mLp0sT4wA==$yJ4n8QeR2vT6kL0pZ3mX9cB1dF5hW7sA2uE4gY6iO8o="
        ":Pk7mN2bV5cX8zL1qW4eR6tY9uI3oA0sD2fG5hJ7kL9c=",
        base64.b64encode(b'{"auths":{"registry.acme.de":{"auth":"Y2k6cHc="}}}').decode(),
        "{PKCS5S2}Qh5gR0Jr2Ul7n9aXcVbYw3mK8sDfT1pLz6oHiE4uJ+NqWxCvBkM0yPtAeZgF9dS",
        "{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=",
        "$2a$10$/uGEcg0XIv8rrJafkjRb2cKY8dhzaP6HPGaUiVuv0.PneBoL.mtDT",
        "$6$rounds=5000$saltsalt$"
        + "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5oQ7sU9wY1aB3dE5gH7jK9mN1pQ3sT5vX7zA9"
        "cE1gI3kM5o",
        "ya29.c.b0AaekDsQfmsyI2_NTrPvmosX_R2fUJutdnhsgxK7x00tzSu_odbKYGi7xeVwEwvOKHkLfyBgq6",
        "sk-proj-7w1EDgNsQ2pL9vX4mZ8kR3tY6uB0cF5hJ1nM7qW2eA9sD4gK",
        "hcaik_01hq7zk8m2n4p6r8t0v2x4z6b8d0f2h4j6",
        "SUACSSL3UAHUDXKFSNVUZRF5UHPMWZ6BFDTJ7M6USDXIEDNPPQYYYCU3VY",
        "$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/",
        "$1$mERr$hx5rVt7rPNoS4wqbXKX7m0",
        "hooks/x9k2p7qz4b8m3n5r1t6w0y2c4d",
    ],
)
def test_password_verifiers_and_encoded_registry_logins_are_removed_by_shape(value: str) -> None:
    out = redact(f'"app_rw" "{value}" - [{value}]', profile="minimal")
    assert value not in out and out.startswith('"app_rw" "')


def test_an_elasticsearch_encoded_api_key_is_removed_and_filler_tokens_stay() -> None:
    encoded = base64.b64encode(b"VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw").decode()
    assert encoded not in redact(f'{{"name" : "ingest", "encoded" : "{encoded}"}}')
    line = "token: ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
    assert redact(line.replace("token: ", "see "), profile="minimal") == line.replace(
        "token: ", "see "
    )


@pytest.mark.parametrize(
    "line",
    [
        "POST /Accounts/AC1/Calls.json auth=AC8290271737bc8418fc655ab15b:6b40bd188ecde5dceb276fa",
        "  express-session saving bFdsVqId_kSoloBiETeZnqBn9czsJ7VA +1ms",
        "Unseal Key 1: g9Ru1CRDeBO14wT65dMkcvnYFln3Fd1Goa+K4EjGX1tS",
        'proxy_set_header X-Auth-Token "nx_Hq7Lm2Xv9Rt4Zb8Nc3Wk";',
        "C: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: amRvZQ==\nS: 334 UGFzc3dvcmQ6\nC: WHE3IXZSMiNwTDk=",
        '"GET /accounts/password/reset/key/3-c4x2ld-7a1f2b9e8d6c5a4b3f2e1d0c9b8a7f6e/ HTTP/1.1"',
    ],
)
def test_id_secret_pairs_session_ids_and_reset_tokens_are_removed(line: str) -> None:
    out = redact(line, profile="minimal")
    assert "***HIDDEN***" in out
    assert not any(
        token in out
        for token in (
            "6b40bd188",
            "bFdsVqId",
            "7a1f2b9e8d6c",
            "g9Ru1CRDe",
            "Hq7Lm2Xv9",
            "WHE3IXZSMiNwTDk=",
        )
    )


def test_vpn_key_blocks_wg_genkey_and_telegram_bot_paths_are_removed() -> None:
    body = "462f27eb1d0ad7f8a3b5c9e1f2d4a6b8\n0c2e4a6b8d0f1e3c5a7b9d1f3e5a7c9b"
    static = f"-----BEGIN OpenVPN Static key V1-----\n{body}\n-----END OpenVPN Static key V1-----\n"
    assert "462f27eb" not in redact(static) and "-----BEGIN OpenVPN Static key V1-----" in redact(
        static
    )
    out = redact("$ wg genkey | tee privatekey\nqNk0bKjZ7vX2mL9pR4tW8yB1cF5hJ3nQ6sU0eA2gIkM=\n")
    assert "qNk0bKjZ" not in out and out.startswith("$ wg genkey | tee privatekey\n")
    url = "https://api.telegram.org/bot6123456789:AAH3kLm9pQ2rS5tU8vW1xY4zA7bC0dE3fGh/sendMessage"
    assert "AAH3kLm9" not in redact(url, profile="minimal")


def test_a_private_key_pasted_without_its_end_line_is_removed() -> None:
    text = (
        "The key file begins like this:\n-----BEGIN PRIVATE KEY-----\n"
        "MIIEvgIBADANBgkqhkiG9w0BAQEFAL1s9PCGnm1EZd+tWCJzpvApAbvFyT0dXkBX\n"
        "9flhp6mc7DIJ0sQihoBZxwcqxY0+mff2q1SaiPRPRW0KroNSN64cIrtEt4y8Yqr7\n"
        "... (rest cut)\nThe cert is from our CA."
    )
    out = redact(text)
    assert "MIIEvgIBADAN" not in out and "9flhp6mc7DIJ" not in out
    assert out.endswith("... (rest cut)\nThe cert is from our CA.")


@pytest.mark.parametrize(
    ("session", "secret"),
    [
        (
            "$ sudo cat /var/lib/rabbitmq/.erlang.cookie; echo\nJNOHKNDIMYQIOSVKMMTB\n$ ls",
            "JNOHKNDIMYQIOSVKMMTB",
        ),
        (
            "$ docker exec nexus cat /nexus-data/admin.password\n"
            "2388746e-db65-4010-8490-fa1c76efa5a1",
            "2388746e-db65",
        ),
        (
            "$ aws ecr get-login-password --region eu-west-1\neyJwYXlsb2FkIjogIjduMTlrSFNUa056cnln",
            "eyJwYXlsb2Fk",
        ),
        (
            "$ kubectl get secret g -o jsonpath='{.data.pw}' | base64 -d; echo\n"
            "x0r54a6Sob172qe2gSth",
            "x0r54a6Sob17",
        ),
        (
            "# head -n 2 /etc/mongod/keyfile\nVDhJUiEDzFUBCFDkuw/OwLeKFL+5\n"
            "v7Wb4eFpal6nu0HDbZ5QNS3o+FMBYz",
            "v7Wb4eFpal6n",
        ),
    ],
)
def test_a_secret_printed_by_the_command_before_it_is_removed(session: str, secret: str) -> None:
    out = redact(session)
    assert secret not in out and out.split("\n")[0] == session.split("\n")[0]


def test_the_output_of_cat_etc_passwd_is_not_a_secret() -> None:
    session = "$ cat /etc/passwd | head -1\nroot:x:0:0:root:/root:/bin/bash"
    assert redact(session) == session


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("# kdb5_util create -r EXAMPLE.COM -s -P 'f^Hy5MfQIZ:!rdjR_mJAdyxH'", "f^Hy5MfQIZ"),
        ('certutil -f -p "7nF!q2Zr#xK9mVw" -importpfx "C:\\certs\\adfs.pfx" NoExport', "7nF!q2Zr"),
        ('dtexec /F "D:\\SSIS\\Load.dtsx" /DECRYPT "ss1s-Pkg#Key2023!" /REPORTING EW', "ss1s-Pkg"),
        ("choco apikey --key d3efeab5-cbbd-4ba3-bc0a-8df2b6d0acce --source x", "d3efeab5"),
        ("[zk: localhost:2181(CONNECTED) 0] addauth digest super:46i!4V68?=+0Ps", "46i!4V68"),
        ('echo "vboWWPbv/yjr5EyXzq" | bin/elasticsearch-keystore add --stdin s3.key', "vboWWPbv"),
        ('[0 127.0.0.1:51234] "CONFIG" "SET" "requirepass" "NTiOlNwX3LUtwCXVYj01"', "NTiOlNwX3"),
        ("dnpass = Ix*JeA-VSC-==d0LG", "Ix*JeA"),
    ],
)
def test_tool_flags_and_keys_that_hold_passwords(line: str, secret: str) -> None:
    assert secret not in redact(line)


@pytest.mark.parametrize(
    "line",
    [
        '    "jsonwebtoken": "9.0.2",',
        "  config.reset_password_within = 6.hours",
        '"DEFAULT_THROTTLE_RATES": {"anon": "100/hour", "token_refresh": "10/minute"}',
        "api_key_max_seconds_to_live = -1",
    ],
)
def test_versions_durations_and_rates_under_secret_keys_stay(line: str) -> None:
    assert redact(line) == line


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("SecretID:         e4f2c21b-ece3-4231-a2ee-b2f506dd5900", "e4f2c21b"),
        ("$ argocd admin initial-password -n argocd\n5UNXt2CrdZsr2zFE", "5UNXt2CrdZsr2zFE"),
        ("deploy $ cat config/master.key\na39ac14c5364907297a920c9854a52af", "a39ac14c"),
        ("[root@web01 ~]# cat /etc/app/api.token\nZk29dkQm3nV8xPq2Lr7tYw", "Zk29dkQm"),
    ],
)
def test_consul_tokens_and_secrets_printed_after_other_prompts(text: str, secret: str) -> None:
    assert secret not in redact(text)


def test_an_aws_secret_id_names_a_secret() -> None:
    line = '"SecretId": "arn:aws:secretsmanager:eu-central-1:059294964237:secret:prod/db-GCFJyt"'
    assert "prod/db-GCFJyt" in redact(line)


def test_graphql_types_under_secret_fields_stay() -> None:
    text = "input LoginInput {\n  username: String!\n  password: String!\n  otp: String\n}"
    assert redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "    permissions:\n      id-token: write\n      contents: read",
        "credentials:1319.v7eb_51b_3a_c97b_\nssh-credentials:337.v395d2403ccd4",
        "    REGISTRY_CREDS = credentials('ghcr-push')\n    SONAR_TOKEN    = credentials('sonar')",
    ],
)
def test_permissions_plugin_versions_and_credential_lookups_stay(text: str) -> None:
    assert redact(text) == text


def test_a_password_with_brackets_inside_is_removed_whole() -> None:
    out = redact("password=Secr3t(2024)x next")
    assert "2024" not in out and out.endswith(" next")


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("USERID=system/dQDz0H_2db8Ps@ORCLPDB1", "dQDz0H_2db8Ps"),
        ("/u01/bin/rman target / catalog rco/fW_6BpIWcUYz@RCATPDB cmdfile=x.rman", "fW_6BpIWc"),
        ("$ sqlplus app_ro/Kq7pLm2Xz9@//db01.corp:1521/ORCL", "Kq7pLm2Xz9"),
        (
            "$ mkstore -wrl /u01/wallet -createCredential PDB1_RO app_ro 'wGnbJXb-d2L_wRn!'",
            "wGnbJXb",
        ),
        ("$ nodetool -u cassandra -pw 'kKZPY0ceo-BjHps' repair -pr billing", "kKZPY0ceo"),
        (
            "smtp_sasl_password_maps = static:AKIAVEGX2PCRCQGEJXBZ:BecwjL6+ia4ooDEbHR/T+iMjj8E8",
            "Becwj",
        ),
    ],
)
def test_oracle_connect_strings_and_more_tool_passwords(line: str, secret: str) -> None:
    assert secret not in redact(line)


def test_a_scoped_npm_package_is_no_oracle_login() -> None:
    assert redact("npm install @scope/pkg@1.2.3") == "npm install @scope/pkg@1.2.3"


def test_a_settings_document_names_its_secret_by_id() -> None:
    text = (
        '{ "_id" : "Accounts_OAuth_Custom-Keycloak-secret", "value" : "FtQunOXK4CAA7jiqA7Vhee" }\n'
        '{ "_id" : "Accounts_OAuth_Custom-Keycloak-id", "value" : "rocketchat" }'
    )
    out = redact(text)
    assert "FtQunOXK4CAA" not in out and '"rocketchat"' in out


def test_a_public_link_salt_is_a_salt_and_a_public_key_token_is_public() -> None:
    out = redact(
        '"PublicLinkSalt": "KQ0fAjzt46Ls3rWYpXUrwkA6sSA6fSil",\nPublicKeyToken=30ad4fe6b2a6'
    )
    assert "KQ0fAjzt46Ls" not in out and "PublicKeyToken=30ad4fe6b2a6" in out


def test_nodetool_keeps_its_pw_flag() -> None:
    out = redact("$ nodetool -u cassandra -pw 'kKZPY0ceo-BjHps' repair -pr billing")
    assert "-pw '***HIDDEN***'" in out


@pytest.mark.parametrize(
    "line",
    [
        f"REGISTRY_PASS ?= {SECRET}",
        f"PKCE code_verifier={SECRET}Ab12Cd34Ef56 method=S256",
        f'{{"device_code":"{SECRET}Ab12Cd34Ef56","user_code":"MBHK-TTNH"}}',
        '  "primaryKey": "20844df886ef3ab6ef1a73433c08b931",',
        f"verify_token={SECRET}",
    ],
)
def test_make_assignments_oauth_codes_and_primary_keys_are_secrets(line: str) -> None:
    out = redact(line)
    assert SECRET not in out and "20844df886ef" not in out, out


@pytest.mark.parametrize(
    "line",
    [
        "STRIPE_SECRET_KEY=sk_test_REPLACE_ME",
        "STRIPE_WEBHOOK_SECRET=whsec_...",
        "SENDGRID_API_KEY=SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "idp.authn.LDAP.bindDNCredential = %{idp.authn.LDAP.bindDNCredential}",
        "pg_password = {vault://env/kong-pg-password}",
        "I-Twilio-Idempotency-Token: 208c2f69-4a6c-4475-ac3c-7b0c0024c751",
        "Profile Action ValidateUsernamePasswordAgainstLDAP: Login by [REDACTED] succeeded",
        'assert password : "SR_SYNC_PASSWORD not set"',
        "// Credentials: stored in ScriptRunner resource, see admin UI (not in script)",
        "# LoadCredentialEncrypted= or an EnvironmentFile with mode 0600 instead.",
        "    ENC[PKCS7,MIIBiQYJKoZIhvcNAQcDoIIBejCCAXYCAQAxggEhMIIBHQIBADAFMAACAQEw",
        '<settings pass="oobeSystem">',
        "    <Value>*SENSITIVE*DATA*DELETED*</Value>",
        '$c = "Server=$env:SQL_HOST;User Id=$env:SQL_USER;Password=$env:SQL_PASSWORD"',
        '\t@echo "$$REGISTRY_PASSWORD" | docker login $(REGISTRY) --password-stdin',
        "[14.03.2024 22:00:15] <01> Info     Job session '0b7a2e64-3c91-4f8d-a6e2-19f5b0c7d4e3'",
    ],
)
def test_placeholders_references_messages_and_ids_under_secret_keys_stay(line: str) -> None:
    assert redact(line) == line


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("Contraseña: x77ks5tp", "x77ks5tp"),
        ("contraseña de acceso desatendido: Anyd3sk!Farm22", "Anyd3sk!Farm22"),
        ("hasło do konta administratora na nowym routerze: Tr4nsp0rt!Wro2024", "Tr4nsp0rt"),
        ("la password dell'utente di servizio per il backup è: Bkp_Rossi!2024", "Bkp_Rossi"),
        ("avec le mot de passe « Extr@net-Test91 », même erreur.", "Extr@net-Test91"),
        ("passphrase de la clé privée : « lavande-orage-31-piano »", "lavande-orage"),
        ("• Clave WPA2: farmacia-verde-2024-ok", "farmacia-verde"),
        ("El token de la API que usa el script es RyWUt2Ek23jF41FfdJC3", "RyWUt2Ek23jF41FfdJC3"),
        ("tried the API key b56475ac62c0bd34d61ee43737b63fca09156bbe in the header", "b56475ac"),
        ("et la clé du compte de stockage : 9PSQX+XcC97dfsbhy8vj35agkqp0wbH1ILxud==", "9PSQX"),
    ],
)
def test_passwords_and_keys_in_prose_in_six_languages(line: str, secret: str) -> None:
    assert secret not in redact(line)


@pytest.mark.parametrize(
    "line", ["the API key rotation policy is documented", "API key management is important"]
)
def test_prose_about_api_keys_stays(line: str) -> None:
    assert redact(line) == line


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("$ nsupdate -y hmac-sha512:ddns:DRik32fCUJP4SzkU9EOqxEkxADjNH/UJemoWT4k4oQ==", "DRik"),
        (
            "CLIENT_RANDOM 44fdb229d649a5f93cdcf4b12fd30079852a28586161c4ed8a61a531e0d9eaa3"
            " 12f9954a8ec53521158f171dd2a56a2d5202bb1dccb2423d10c8a54d6443cd79f41c4b03134da09b",
            "12f9954a8ec5",
        ),
        ("    Key Content            : Duna-Part-8812-Kave", "Duna-Part"),
        ('"ebrandt"\tCleartext-Password := "Xy12!abcd"', "Xy12!abcd"),
        ('"acorbett"\tMSCHAPV2\t"Timber&Wolf2023"\t[2]', "Timber&Wolf2023"),
        ('"printer-3f"\tMSCHAPV2\thash:2bed37418c111bf20d7a106e421a0cdc\t[2]', "2bed37418c11"),
        ('    login = cleartext "Mango!Delta88"', "Mango!Delta88"),
        ("oinkcode = dd19e2790adf55618c8934f42c3cc1cc4ba93846", "dd19e2790adf"),
    ],
)
def test_secrets_that_formats_place_by_position(line: str, secret: str) -> None:
    assert secret not in redact(line)


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("$USER4$=Ng!0s-Sql#2291", "Ng!0s"),
        ("command_line $USER1$/check_snmp -H $HOSTADDRESS$ -C c0reN3t-RO-7731 -o x", "c0reN3t"),
        ('const TicketSalt = "65031c44281940547aa4f8bcaa64b7a2"', "65031c44"),
        ("pass4SymmKey = Ard3nt!Clust3r-Key", "Ard3nt"),
        ("splunk add forward-server 10.58.66.118:9997 -auth admin:Ch4ngeMe-UF#77", "Ch4ngeMe"),
        ('newrelic.license = "41c81ec74f117dde2c883821f5900d7f7c469533"', "41c81ec7"),
    ],
)
def test_monitoring_secrets(line: str, secret: str) -> None:
    assert secret not in redact(line)


@pytest.mark.parametrize(
    "line",
    [
        "$USER1$=/usr/lib64/nagios/plugins",
        '    password: "ENC[pg_datadog_password]"',
        '{"status":"success","dedup_key":"backup-failed-2024-03-08"}',
    ],
)
def test_plugin_paths_secret_handles_and_dedup_keys_stay(line: str) -> None:
    assert redact(line) == line


@pytest.mark.parametrize(
    "line",
    [
        "$ docker login -u gitlab-ci-token --password-stdin registry.gitlab.com",
        '(5) eap_peap: TLS-Session-Cipher-Suite = "ECDHE-RSA-AES256-GCM-SHA384"',
        "sendgrid,prod,transactional,vault:kv/sendgrid#api_key,platform,2024-02-11",
        "password: <path:secret/data/payments#db_password>",
    ],
)
def test_flags_without_values_cipher_suites_and_vault_references_stay(line: str) -> None:
    assert redact(line) == line


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("    PASSWORDS_LISTENER = (Lsnr#Adm2019)", "Lsnr#Adm2019"),
        ('    RMAN> connect target sys/"Pr1m#Sys_Dup"@FINCDB', "Pr1m#Sys_Dup"),
        ('[oracle@ora-prim01 ~]$ dgmgrl sys/"Dg#Brk3r_2024"@FINCDB', "Dg#Brk3r"),
        ('userid="system/Dp!Adm1n_2024@ORCLPDB"', "Dp!Adm1n"),
        ("CREATE USER \"X\" IDENTIFIED BY VALUES 'S:EBC15E38896CE21D443F2F;T:F62D9EBD'", "S:EBC15"),
        ("$ db2 connect to SALESDB user etlsvc using Etl5vc_Db2!", "Etl5vc_Db2!"),
        ('admin> db.auth("ops_admin", "0ps!Adm1nMongo")', "0ps!Adm1nMongo"),
        ('admin> db.changeUserPassword("reporting_ro", "N3w!R3p0rt_2024")', "N3w!R3p0rt"),
        ("127.0.0.1:6379> AUTH ops_admin Opz#Adm!n44", "Opz#Adm!n44"),
        ("sentinel auth-pass cache-prod Sent!n3l_Auth_81", "Sent!n3l"),
        ("PASSWORD kibana_system = VkAVp0PEll3gxBIOETQX", "VkAVp0PEll3gxBIOETQX"),
    ],
)
def test_database_tools_and_files_say_where_the_password_is(line: str, secret: str) -> None:
    assert secret not in redact(line)


@pytest.mark.parametrize(
    "line",
    [
        "    (CONNECT_DATA = (SERVER = DEDICATED)(SERVICE_NAME = ORCLPDB1))",
        "SQL> alter profile P limit password_verify_function ORA12C_STRONG_VERIFY_FUNCTION;",
        "EXEC master.dbo.sp_serveroption @server=N'PAYROLL_LNK', @optname=N'rpc out'",
        "Sqlcmd: Error: Microsoft ODBC Driver 18 for SQL Server : TCP Provider: Error code 0x2749.",
        "Using default password (use --password to override)",
    ],
)
def test_database_settings_linked_servers_and_help_text_stay(line: str) -> None:
    assert redact(line) == line


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("    <key>Password</key>\n    <string>Fj0rd!Guest-2024</string>", "Fj0rd"),
        ("\t<key>RecoveryKey</key>\n\t<string>YYV9-JDZB-JJN9-K2MP-5A6S-8R49</string>", "YYV9"),
        ("WindowsSensor.exe /install /quiet CID=EE9E633B28F3CFD72D8370D7F19AF182-B8", "EE9E633B"),
        ('lpadmin -p R -E -v "smb://OTTERCREEK/svc_print:Brth!Recep2291@prnsrv01/R"', "Brth!"),
        ('% curl -su "api_inventory:Hn4#pQ9zX2mVt7" -X POST https://x.example.com/api', "Hn4#"),
        ('PS C:\\> $cfg.SetProxyPassword("Wsus-Prx#2024q")', "Wsus-Prx"),
        (
            "ad.anynet.pwd_hash=f606a35a4d091fda0e3329c6878e2a30c19c8ed3b07d832578e4699734e3e7",
            "f606",
        ),
    ],
)
def test_property_lists_recovery_keys_sensor_ids_smb_urls_and_setters(
    text: str, secret: str
) -> None:
    assert secret not in redact(text)


def test_a_plist_setting_under_a_password_key_stays() -> None:
    text = "\t<key>PasswordMinLength</key>\n\t<string>12</string>"
    assert redact(text) == text


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("            community-name Pcr!nsur4nce-NMS", "Pcr!nsur4nce"),
        (
            'add ssl certKey x -cert "/nsconfig/ssl/x.pfx" -passcrypt "Mh2Tq9XvLpC4nR7wZs1aY=="',
            "Mh2T",
        ),
    ],
)
def test_snmp_community_names_and_netscaler_passcrypt(line: str, secret: str) -> None:
    assert secret not in redact(line)


@pytest.mark.parametrize(
    "line",
    [
        "2024-03-12T09:14:22Z INF GOOS: linux, GOVersion: go1.21.5, GoArch: amd64",
        'SecRule ARGS:password "@rx ^.{0,7}$" "id:100010,phase:2,deny"',
        "Producer: ModSecurity for Apache/2.9.7 (http://www.modsecurity.org/); OWASP_CRS/3.3.5.",
        "The hostname of the server is set below.",
    ],
)
def test_short_log_levels_waf_operators_and_vendor_sites_stay(line: str) -> None:
    assert redact(line) == line


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ('audit[51222]: EXECVE argc=5 a0="mysql" a3="-uadmin" a4="-pT0p$ecret99"', "T0p$ecret99"),
        ("[smtp.office365.com]:587 ops@example.org:Wq2#rT9!kLp0", "Wq2#rT9!kLp0"),
        ("AKIAIOSFODNN7EXAMPLE:NGsjlkV9pF5hcPoUu4P9sijZJxgX5OmxVO1WIdaC", "NGsjlkV9pF5h"),
        (
            "u:$y$j9T$QgX3E3C16ieQyVM80qOAmu$mU/KCRW1g.LeKjyWqHDMHHFZ8gvqIWL2SAjLrCNfL52:19690:0:::",
            "$y$",
        ),
    ],
)
def test_audit_execve_sasl_passwd_s3fs_and_yescrypt(line: str, secret: str) -> None:
    assert secret not in redact(line)


def test_askpass_takes_no_value() -> None:
    line = "redis-cli -h 127.0.0.1 -p 6379 --no-auth-warning --askpass INFO replication"
    assert redact(line) == line


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("| API Secret | 4M9VsMHmcLJ9Swr3vsBR8FTuvS2y7BGrEg/+GPFl65dKSVP6CZSeFo |", "4M9Vs"),
        (" Corporate AD   | ldap.password   | Cwd-Bind#88!qLmT", "Cwd-Bind"),
        ('      RABBITMQ_ERLANG_COOKIE: "KMDSOPWQHZEJNRTLBXAU"', "KMDSOPWQ"),
        (
            "soil-probe-01:$7$101$D4MEjwmDAz5p/ZR8$bYdWGGNjjWJV0vHGByY6g3kTerNZ48PHi6AHc399mKrL6rh7a",
            "$7$",
        ),
        ('client.username_pw_set("fleet-tracker", "Fl33t!Trk-mq-305")', "Fl33t"),
        ("tokenSecretKey=data:;base64,VXrloK/oYVpDzUgsScTpBKg2Cg+SCf4K6c1zsUkc8n4=", "VXrloK"),
    ],
)
def test_setting_tables_erlang_cookies_mosquitto_and_data_uris(line: str, secret: str) -> None:
    assert secret not in redact(line)


@pytest.mark.parametrize(
    "text",
    [
        "problem refreshing your current auth tokens: Reauthentication failed.",
        "metadata=(sessionId=1785330241, epoch=INITIAL)",
        "# Generate a key pair with `wg genkey | tee privatekey | wg pubkey > publickey`.",
    ],
)
def test_rows_prose_counters_and_pipelines_stay(text: str) -> None:
    assert redact(text) == text


def test_a_settings_row_is_no_table_header() -> None:
    out = redact("| p12_password | LuK3WEgdUrLHwsKs |\n| save_private_key | true |")
    assert "LuK3" not in out and "| save_private_key | true |" in out


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("Pass code:  kpIIw0b6cUGoLAQd5sHP0HYExScNPvkZ1ro9sD6Cm5QG", "kpIIw0b6"),
        (
            "$ mc alias set lumen https://x.local F9UA4PP9Z7HTDL43TEOD fOkvoHgqwOuhKUSAPeZ4nsL7",
            "fOkvo",
        ),
        (
            "https://chat.example.org/hooks/Ec7A3SyangAvc6txR/"
            "iHY8sTXTxxp9rFEBm27ZU5gjQhzeCQs9S5hMfF71L7U0eah3",
            "iHY8",
        ),
    ],
)
def test_nexus_pass_codes_minio_aliases_and_rocketchat_hooks(line: str, secret: str) -> None:
    assert secret not in redact(line)


@pytest.mark.parametrize(
    "line",
    [
        "usernamePassword(credentialsId: 'nexus-deploy', passwordVariable: 'NEXUS_PASS')",
        "#     'password' => '_the_password_of_the_bind_user',",
        "  'memcache.local' => '\\\\OC\\\\Memcache\\\\APCu',",
    ],
)
def test_variable_names_template_values_and_php_array_keys_stay(line: str) -> None:
    assert redact(line) == line


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("パスワード：Minato#2024spring", "Minato#2024"),
        ("新パスワード：Ykq8!vRz3mWp", "Ykq8!"),
        ("密码：Zx#8812qweAsd", "Zx#8812"),
        ("Şifre: Lg0!Tiger2023", "Lg0!Tiger"),
        ("  WS Şifre: Ef@tura#8821", "Ef@tura"),
        ("Пароль: Qw3rty!2024x", "Qw3rty"),
    ],
)
def test_passwords_labelled_in_japanese_chinese_turkish_and_russian(line: str, secret: str) -> None:
    assert secret not in redact(line)


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ('            <credential-reference clear-text="Cs!store-2023-Q4xT"/>', "Cs!store"),
        ("    MASK-8VzWsSNwBaR676g8ujiIDdFKwSjOBHCHgnKf17nun3v;12345678;123", "8VzWs"),
        ("wls:/offline> connect('weblogic','Wl$Adm!n2023','t3://x.example.net:7001')", "Wl$Adm"),
        ("cmo.setCustomIdentityKeyStorePassPhrase('Id3nt!tyKS_ms01')", "Id3nt"),
        ("{aes}AENRWPBVPeNuoOFVNh+AhUKKpOgZwT6Fla6w4YwjcL1vVqL3a92a2Zx", "AENRW"),
        ("{xor}Ei48M287MSt+Lz8s", "Ei48M"),
        ("AdminTask.createAuthDataEntry('[-alias A -user u -password Db2#Prd_ord55]')", "Db2#"),
        ("camel.component.sql.data-source.password=RAW(kH2x9Qv0mLp3Tz8Rw1Ny5Cb7Ds4)", "kH2x9"),
    ],
)
def test_java_middleware_secrets(line: str, secret: str) -> None:
    assert secret not in redact(line)


def test_prose_about_cleartext_stays() -> None:
    line = "the password is stored in cleartext by default"
    assert redact(line) == line


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("    password: xkcb pqvn wjsr tmle", "pqvn"),
        ("ipmitool -I lanplus -H 10.174.196.156 -U ADMIN -P QWXBTRZKPF chassis power", "QWXBTR"),
        ("MONITOR ups@192.168.182.189 1 monuser s3cretUps slave", "s3cretUps"),
    ],
)
def test_app_passwords_ipmitool_and_nut_monitors(line: str, secret: str) -> None:
    assert secret not in redact(line)


def test_a_masked_password_with_a_note_after_it_stays() -> None:
    line = "パスワード：********（セキュリティ保護のため伏せ字にしています）"
    assert redact(line) == line
