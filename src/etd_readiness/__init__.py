"""ETD readiness: will Cisco Secure Email Threat Defense remediation work for every protected mailbox?"""

__version__ = "0.1.0"
