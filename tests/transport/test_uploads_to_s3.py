"""With SITREP_BLOB_URL=s3://..., validated uploads land in S3 and staff download them from
there. A local moto server stands in for S3 (S3 itself cannot run here)."""

from __future__ import annotations

import hashlib

import boto3
import httpx
import pytest
import transport_zips as z

from sitrep.client.report import Report, report_to_desk
from sitrep.config import load_settings


@pytest.fixture
def desk_settings(database_url, tmp_path, moto_endpoint, s3_bucket):
    """The shared desk settings, but with blobs in the (stand-in) S3 bucket."""
    return load_settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        demo=True,
        secret_key="test-secret-key",
        smtp_url="console://",
        blob_url=f"s3://{s3_bucket}/blobs",
        s3_endpoint_url=moto_endpoint,
    )


def test_a_reported_bundle_is_stored_in_s3_and_downloaded_from_it(
    live_desk, installation_token, staff_token, moto_endpoint, s3_bucket, tmp_path
):
    bundle = z.write_bundle(tmp_path / "support.zip", z.sample_files())
    data = bundle.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    report = Report(email="alice@example.com", summary="Crash", bundle=bundle)
    key = report_to_desk(report, desk_url=live_desk.url, token=installation_token).key
    s3 = boto3.client("s3", endpoint_url=moto_endpoint)
    [blob] = s3.list_objects_v2(Bucket=s3_bucket, Prefix="blobs/")["Contents"]
    stored = s3.get_object(Bucket=s3_bucket, Key=blob["Key"])["Body"].read()
    # Sealed at rest: the only object is ciphertext, keyed by its own hash, not the plaintext's.
    assert blob["Key"] != f"blobs/{digest}" and data[:64] not in stored
    assert blob["Key"] == f"blobs/{hashlib.sha256(stored).hexdigest()}"
    assert not list((tmp_path / "data" / "uploads").glob("*.part"))  # nothing left staged
    staff = {"Authorization": f"Bearer {staff_token}"}
    listing = httpx.get(f"{live_desk.url}/api/v1/requests/{key}/attachments", headers=staff)
    [listed] = listing.json()["values"]
    content = httpx.get(
        f"{live_desk.url}/api/v1/attachments/{listed['id']}/content",
        params={"justification": "checking the crash in SUP"},
        headers=staff,
    )
    assert content.status_code == 200 and content.content == data
