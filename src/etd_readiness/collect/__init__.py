"""Collecting a tenant through Microsoft Graph into a snapshot."""
