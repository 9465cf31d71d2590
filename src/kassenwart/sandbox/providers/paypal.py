"""(written next)"""
class PayPalApi:
    pass
