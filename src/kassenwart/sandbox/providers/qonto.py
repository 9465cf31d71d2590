"""(written next)"""
class QontoApi:
    pass
