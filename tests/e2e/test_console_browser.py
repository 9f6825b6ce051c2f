"""The console in a real browser: headless Chromium (Debian's chromium and
chromium-driver, driven by python3-selenium) loads /_stsd/ui from the real
binary, is given the admin token it asks for, and watches requests made with
boto3 appear live; a denial is opened and its trace and suggested statement
read; an Action name, a User-Agent and a web-identity `sub` of
<img src=x onerror=alert(1)> must show as text and never run. Each screen is
saved as a PNG under $STSD_ARTIFACTS (CTest: build/<preset>/artifacts/console).

Runs with Debian's /usr/bin/python3 (python3-selenium is installed for it);
skips with the reason when selenium, chromium or chromedriver is missing."""

import json
import os
import shutil
import unittest
import urllib.parse

import botocore.exceptions

from stsd_harness import StsdServer, send, sts_client
from test_console import ACCOUNT, ALICE, ALICE_ARN, APP_ARN, DEPLOY_ARN, PROVIDER_ARN, TOKEN, XSS, console_config

try:
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException, TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait
    SELENIUM = None
except ImportError as e:  # pragma: no cover - depends on the machine
    SELENIUM = f"selenium is not importable ({e}); install python3-selenium and run with /usr/bin/python3"

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None)
WAIT_S = 15


def artifacts_dir():
    path = os.environ.get("STSD_ARTIFACTS") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "artifacts")
    os.makedirs(path, exist_ok=True)
    return path


@unittest.skipIf(SELENIUM is not None, SELENIUM or "")
@unittest.skipIf(CHROMIUM is None, "chromium is not installed (apt-get install chromium chromium-driver)")
@unittest.skipIf(CHROMEDRIVER is None, "chromedriver is not installed (apt-get install chromium-driver)")
class ConsoleBrowserTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = StsdServer([], console_config()).start()
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1500,1000", "--no-proxy-server", "--lang=en-US"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        try:
            cls.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        except Exception:
            cls.server.cleanup()
            raise
        cls.shots = artifacts_dir()

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.server.cleanup()

    # -- helpers ------------------------------------------------------------

    def wait(self, condition, timeout=WAIT_S):
        return WebDriverWait(self.driver, timeout).until(condition)

    def screenshot(self, name):
        path = os.path.join(self.shots, name + ".png")
        self.driver.save_screenshot(path)
        return path

    def assert_no_alert(self):
        try:
            WebDriverWait(self.driver, 1).until(EC.alert_is_present())
        except TimeoutException:
            pass
        else:
            text = self.driver.switch_to.alert.text
            self.driver.switch_to.alert.dismiss()
            self.fail(f"an alert ran: {text!r}")
        try:
            self.driver.switch_to.alert
            self.fail("an alert is open")
        except NoAlertPresentException:
            pass
        # No element was made from the payload.
        self.assertEqual(self.driver.find_elements(By.TAG_NAME, "img"), [])

    def row_with(self, css, text):
        def find(driver):
            for cell in driver.find_elements(By.CSS_SELECTOR, "#requests-body " + css):
                if cell.text == text:
                    return cell
            return False
        return self.wait(find)

    def open_console(self):
        self.driver.get(self.server.url + "/_stsd/ui")
        # admin_token is set: the page asks for it.
        self.wait(EC.visibility_of_element_located((By.ID, "token-bar")))
        self.driver.find_element(By.ID, "token-input").send_keys(TOKEN)
        self.driver.find_element(By.ID, "token-save").click()
        self.wait(EC.text_to_be_present_in_element((By.ID, "stream-state"), "live"))

    def tab(self, name):
        self.driver.find_element(By.CSS_SELECTOR, f'#tabs button[data-tab="{name}"]').click()

    # -- the test -------------------------------------------------------------

    def test_console_screens(self):
        self.open_console()
        alice = sts_client(self.server.url, ALICE)

        # Live: requests appear as they are made, failures included.
        alice.get_caller_identity()
        with self.assertRaises(botocore.exceptions.ClientError) as denied:
            alice.assume_role(RoleArn=DEPLOY_ARN, RoleSessionName="console")
        denied_id = denied.exception.response["ResponseMetadata"]["RequestId"]
        body = urllib.parse.urlencode({"Action": XSS, "Version": "2011-06-15"}).encode()
        send(self.server, "POST", "/", body=body,
             headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": XSS})
        minted = send(self.server, "POST", "/_stsd/oidc/token", body=json.dumps({"sub": XSS}).encode(),
                      headers={"Authorization": f"Bearer {TOKEN}"})
        token = json.loads(minted.body)["token"]
        with self.assertRaises(botocore.exceptions.ClientError):
            sts_client(self.server.url).assume_role_with_web_identity(
                RoleArn=APP_ARN, RoleSessionName="xss", WebIdentityToken=token)

        self.row_with("td.action", "GetCallerIdentity")
        self.row_with("td.request-id", denied_id)
        xss_action = self.row_with("td.action", XSS)
        self.assertEqual(xss_action.find_element(By.XPATH, "..").get_attribute("title"), "User-Agent: " + XSS)
        self.row_with("td.principal", f"{PROVIDER_ARN} (sub: {XSS})")
        self.assert_no_alert()

        # Filters.
        outcome = Select(self.driver.find_element(By.ID, "filter-outcome"))
        outcome.select_by_value("denied")
        self.wait(lambda d: all(r.get_attribute("class") == "denied"
                                for r in d.find_elements(By.CSS_SELECTOR, "#requests-body tr")))
        self.row_with("td.request-id", denied_id)
        self.screenshot("live")
        outcome.select_by_value("")
        self.row_with("td.action", "GetCallerIdentity")

        # The decision behind the denial.
        self.row_with("td.request-id", denied_id).click()
        summary = self.wait(EC.visibility_of_element_located((By.ID, "decision-summary")))
        self.wait(EC.text_to_be_present_in_element((By.ID, "decision-summary"), "ExternalId missing"))
        self.assertIn("TrustNotSatisfied", summary.text)
        suggestion = json.loads(self.driver.find_element(By.ID, "suggestion").text)
        self.assertEqual(suggestion, {"Effect": "Allow", "Principal": {"AWS": ALICE_ARN}, "Action": "sts:AssumeRole"})
        detail = self.driver.find_element(By.ID, "detail").text
        self.assertIn("sts:ExternalId", detail)
        self.assertIn("(absent)", detail)
        self.screenshot("decision")

        # The web-identity denial: the sub claim is shown as text.
        self.row_with("td.principal", f"{PROVIDER_ARN} (sub: {XSS})").click()
        self.wait(EC.text_to_be_present_in_element((By.ID, "detail"), XSS))
        self.assert_no_alert()

        # Identities and the trust graph.
        self.tab("identities")
        self.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "#graph svg path.edge")))
        labels = [t.text for t in self.driver.find_elements(By.CSS_SELECTOR, "#graph svg text")]
        self.assertIn(ALICE_ARN, labels)
        self.assertIn(DEPLOY_ARN, labels)
        self.assertIn(f"arn:aws:iam::{ACCOUNT}:user/alice", self.driver.find_element(By.ID, "identities").text)
        self.screenshot("identities")

        # Sessions: the facts a session token carries.
        creds = alice.assume_role(RoleArn=DEPLOY_ARN, RoleSessionName="inspected", ExternalId="xyz")["Credentials"]
        self.tab("sessions")
        self.driver.find_element(By.ID, "inspect-key").send_keys(creds["AccessKeyId"])
        self.driver.find_element(By.ID, "inspect-token").send_keys(creds["SessionToken"])
        self.driver.find_element(By.CSS_SELECTOR, "#inspect-form button").click()
        self.wait(EC.text_to_be_present_in_element((By.ID, "inspect-result"), "inspected"))
        self.screenshot("sessions")

        # Try it: mint a web-identity token and exchange it.
        self.tab("try")
        sub = self.driver.find_element(By.ID, "oidc-sub")
        sub.clear()
        sub.send_keys("ci")
        role = self.driver.find_element(By.ID, "oidc-role")
        role.clear()
        role.send_keys(APP_ARN)
        self.driver.find_element(By.CSS_SELECTOR, "#oidc-form button").click()
        self.wait(EC.text_to_be_present_in_element((By.ID, "oidc-result"), "AssumeRoleWithWebIdentity: HTTP 200"))
        self.assertIn("AssumedRoleUser", self.driver.find_element(By.ID, "oidc-result").text)
        self.screenshot("try-it")

        # Health: charts from /_stsd/metrics.
        self.tab("health")
        self.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "#latency-chart svg rect")))
        self.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#rate-chart svg path.line")) > 0, timeout=10)
        self.screenshot("health")

        # Back to the live list for the README's picture.
        self.tab("live")
        self.row_with("td.request-id", denied_id).click()
        self.wait(EC.text_to_be_present_in_element((By.ID, "decision-summary"), "ExternalId missing"))
        self.screenshot("console")
        self.assert_no_alert()
        # Nothing the page did broke its own policy.
        errors = [e for e in self.driver.get_log("browser")
                  if e.get("level") == "SEVERE" and "Content Security Policy" in e.get("message", "")]
        self.assertEqual(errors, [])


if __name__ == "__main__":
    unittest.main()
