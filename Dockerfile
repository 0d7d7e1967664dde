# One image per service: docker build --build-arg PROJECT=services/Orders/Rakuten.Platform.Orders.csproj \
#   --build-arg ASSEMBLY=Rakuten.Platform.Orders -t rakuten-platform/orders .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG PROJECT
WORKDIR /src
COPY . .
RUN dotnet publish "$PROJECT" -c Release -o /app /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0
ARG ASSEMBLY
ENV ASSEMBLY=${ASSEMBLY} \
    ASPNETCORE_URLS=http://+:8080 \
    Platform__Grpc__Url=http://+:8081 \
    Platform__Mode=Distributed \
    Platform__LogFormat=json
WORKDIR /app
COPY --from=build /app .
USER app
# 8080: HTTP/1.1 (REST, health, webhooks); 8081: gRPC (HTTP/2 without TLS, which cannot share a port with HTTP/1.1).
EXPOSE 8080 8081
ENTRYPOINT ["sh", "-c", "exec dotnet \"$ASSEMBLY.dll\""]
